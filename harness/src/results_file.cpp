#include "schedlab/harness/results_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace schedlab::harness {

namespace fs = std::filesystem;

std::string csv_escape(std::string_view cell) {
    if (cell.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(cell);
    std::string out = "\"";
    for (char c : cell) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

std::string csv_join(const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i) line += ',';
        line += csv_escape(cells[i]);
    }
    return line;
}

std::vector<std::string> csv_split(std::string_view line) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                cells.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cells.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            cells.emplace_back();
        } else if (c != '\r') {
            cells.back() += c;
        }
    }
    if (quoted) throw UsageError("unterminated quote in CSV line: " + std::string(line.substr(0, 60)));
    return cells;
}

namespace {

std::string errno_text() { return std::strerror(errno); }

}  // namespace

ResultsFile::ResultsFile(fs::path out, std::vector<std::string> header,
                         std::vector<std::size_t> key_columns, OpenMode mode, bool retry_failed)
    : out_(std::move(out)), header_(std::move(header)), key_columns_(std::move(key_columns)) {
    const fs::path part = partial();
    std::error_code ec;
    const bool out_exists = fs::exists(out_, ec);
    const bool part_exists = fs::exists(part, ec);
    if (out_.has_parent_path() && !fs::is_directory(out_.parent_path(), ec))
        throw UsageError("cannot write " + out_.string() + ": directory " +
                         out_.parent_path().string() + " does not exist");
    switch (mode) {
        case OpenMode::Fresh:
            if (out_exists)
                throw UsageError(out_.string() +
                                 " exists; refusing to overwrite it (use --append to add rows, or "
                                 "another --out)");
            if (part_exists)
                throw UsageError(part.string() +
                                 " exists: an interrupted run; finish it with --resume, or remove it");
            break;
        case OpenMode::Append:
            if (part_exists)
                throw UsageError(part.string() +
                                 " exists: an interrupted run; finish it with --resume, or remove it");
            if (out_exists) {
                load_rows(out_, false);
                fs::copy_file(out_, part, ec);
                if (ec) throw UsageError("cannot copy " + out_.string() + ": " + ec.message());
            }
            break;
        case OpenMode::Resume:
            if (!part_exists) {
                if (out_exists)
                    throw UsageError(out_.string() + " is already complete; nothing to resume");
                throw UsageError("nothing to resume: " + part.string() + " does not exist");
            }
            load_rows(part, true, retry_failed);
            break;
    }
    const bool fresh_file = !fs::exists(part, ec);
    f_ = std::fopen(part.c_str(), "a");
    if (!f_) throw UsageError("cannot write " + part.string() + ": " + errno_text());
    if (fresh_file) {
        const std::string line = csv_join(header_) + "\n";
        if (std::fputs(line.c_str(), f_) < 0 || std::fflush(f_) != 0)
            throw UsageError("cannot write " + part.string() + ": " + errno_text());
    }
}

ResultsFile::~ResultsFile() {
    if (f_) std::fclose(f_);
}

void ResultsFile::load_rows(const fs::path& p, bool drop_torn_tail, bool drop_failed) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw UsageError("cannot read " + p.string());
    std::stringstream buf;
    buf << in.rdbuf();
    std::string text = buf.str();
    // A kill -9 can leave a torn last line: everything after the last newline goes.
    const auto last_nl = text.rfind('\n');
    const std::size_t keep = last_nl == std::string::npos ? 0 : last_nl + 1;
    if (keep != text.size()) {
        if (!drop_torn_tail)
            throw UsageError(p.string() + " does not end with a newline; not a complete CSV");
        text.resize(keep);
        fs::resize_file(p, keep);
    }
    std::istringstream lines(text);
    std::string line;
    if (!std::getline(lines, line)) {
        fs::remove(p);  // not even a header survived: start over
        return;
    }
    if (csv_split(line) != header_)
        throw UsageError(p.string() + " has other columns than this run writes (header: " +
                         line.substr(0, 80) + (line.size() > 80 ? "..." : "") + ")");
    std::string kept = line + "\n";
    bool dropped = false;
    while (std::getline(lines, line)) {
        if (line.empty()) continue;
        const auto row = csv_split(line);
        if (row.size() != header_.size())
            throw UsageError(p.string() + " has a row with " + std::to_string(row.size()) +
                             " cells instead of " + std::to_string(header_.size()));
        if (is_failed_row(row)) {
            if (drop_failed) {
                dropped = true;
                continue;
            }
            failed_.insert(config_key_of(row));
        }
        done_.insert(key_of(row));
        kept += line + "\n";
    }
    if (dropped) {  // retrying failed configurations: their rows go, through a renamed copy
        const fs::path tmp = p.string() + ".tmp";
        std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
        if (!(o << kept) || !o.flush()) throw UsageError("cannot write " + tmp.string());
        o.close();
        fs::rename(tmp, p);
    }
}

std::string ResultsFile::key_of(const std::vector<std::string>& row) const {
    std::string key;
    for (std::size_t c : key_columns_) {
        key += row.at(c);
        key += '\x1f';
    }
    return key;
}

std::string ResultsFile::config_key_of(const std::vector<std::string>& row) const {
    const auto rep = std::find(header_.begin(), header_.end(), "rep") - header_.begin();
    std::string key;
    for (std::size_t c : key_columns_) {
        if (static_cast<std::ptrdiff_t>(c) == rep) continue;
        key += row.at(c);
        key += '\x1f';
    }
    return key;
}

bool ResultsFile::is_failed_row(const std::vector<std::string>& row) const {
    const auto extra = std::find(header_.begin(), header_.end(), "extra") - header_.begin();
    return static_cast<std::size_t>(extra) < row.size() &&
           row[static_cast<std::size_t>(extra)].rfind("failed=", 0) == 0;
}

void ResultsFile::write(const std::vector<std::string>& row) {
    const std::string line = csv_join(row) + "\n";
    if (std::fputs(line.c_str(), f_) < 0 || std::fflush(f_) != 0 || fdatasync(fileno(f_)) != 0)
        throw UsageError("cannot write " + partial().string() + ": " + errno_text());
    done_.insert(key_of(row));
    if (is_failed_row(row)) failed_.insert(config_key_of(row));
}

void ResultsFile::commit() {
    if (std::fclose(f_) != 0) {
        f_ = nullptr;
        throw UsageError("cannot write " + partial().string() + ": " + errno_text());
    }
    f_ = nullptr;
    std::error_code ec;
    fs::rename(partial(), out_, ec);
    if (ec) throw UsageError("cannot rename " + partial().string() + ": " + ec.message());
}

}  // namespace schedlab::harness
