// Tidy CSV results that are never lost, clobbered or duplicated.
//
// Rows go to <out>.partial, one complete line at a time (flushed and synced), and the file is
// renamed to <out> when the run ends. An existing <out> is never overwritten: a run refuses,
// or with append adds to it (the header must match). A run killed at any instant (Ctrl-C,
// kill -9) leaves <out>.partial; `resume` drops a torn last line, skips every row already
// there (by its key: the configuration and rep) and finishes the rest.
//
// A configuration that failed as a whole (over the memory bound) leaves one row whose extra
// cell starts with "failed=" and gives the reason; its other repetitions are not run, and
// resume and append skip it too, unless resume is asked to retry failed configurations
// (then their failed rows are dropped from the partial file first).
#pragma once

#include <cstdio>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace schedlab::harness {

// A user error: printed as one line "schedlab: <what>", exit status 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string csv_escape(std::string_view cell);
// Split one CSV line (RFC 4180 quoting); throws UsageError on an unterminated quote.
std::vector<std::string> csv_split(std::string_view line);
std::string csv_join(const std::vector<std::string>& cells);

enum class OpenMode { Fresh, Append, Resume };

class ResultsFile {
public:
    // `key_columns`: indexes into header of the columns identifying a row (for skipping).
    ResultsFile(std::filesystem::path out, std::vector<std::string> header,
                std::vector<std::size_t> key_columns, OpenMode mode,
                bool retry_failed = false);
    ~ResultsFile();
    ResultsFile(const ResultsFile&) = delete;
    ResultsFile& operator=(const ResultsFile&) = delete;

    bool has(const std::vector<std::string>& row) const { return done_.count(key_of(row)) > 0; }
    std::size_t rows_present() const { return done_.size(); }
    // Whether the configuration of `row` (every key column but rep) has a failed row.
    bool config_failed(const std::vector<std::string>& row) const {
        return failed_.count(config_key_of(row)) > 0;
    }
    void write(const std::vector<std::string>& row);
    // Rename the partial file to its final name (the run is complete).
    void commit();

    const std::filesystem::path& out() const { return out_; }
    std::filesystem::path partial() const { return out_.string() + ".partial"; }

private:
    std::string key_of(const std::vector<std::string>& row) const;
    std::string config_key_of(const std::vector<std::string>& row) const;
    bool is_failed_row(const std::vector<std::string>& row) const;
    void load_rows(const std::filesystem::path& p, bool drop_torn_tail, bool drop_failed = false);

    std::filesystem::path out_;
    std::vector<std::string> header_;
    std::vector<std::size_t> key_columns_;
    std::set<std::string> done_;
    std::set<std::string> failed_;  // config keys with a failed row
    std::FILE* f_ = nullptr;
};

}  // namespace schedlab::harness
