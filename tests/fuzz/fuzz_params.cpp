// libFuzzer target: the --param / config "k=v;k=v" parser (workloads::Params) and the
// typed getters. Properties: only ParamError escapes; a parsed set completed with a workload's
// defaults reads back through canonical() -> parse() unchanged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "schedlab/workloads/workload.hpp"

using schedlab::workloads::ParamError;
using schedlab::workloads::Params;
using schedlab::workloads::ParamSpec;

namespace {
constexpr ParamSpec kSpecs[] = {
    {"n", "10", "an integer"}, {"x", "0.5", "a number"}, {"on", "1", "a boolean"},
    {"kind", "a", "a choice"},  {"tree", "T1", "a string"},
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    Params p;
    try {
        p = Params::parse(text);
    } catch (const ParamError&) {
        return 0;
    }
    try {
        const Params full = p.with_defaults("fuzz", kSpecs);
        // canonical() joins with ';': values holding ';' or ',' (or edge spaces) cannot round-trip.
        bool plain = true;
        for (const auto& [k, v] : full.values())
            if (v.find_first_of(";,") != std::string::npos || k.find_first_of(";,=") != std::string::npos ||
                (!v.empty() && (v.front() == ' ' || v.back() == ' ' || v.front() == '\t' || v.back() == '\t')))
                plain = false;
        if (plain) {
            const Params again = Params::parse(full.canonical());
            if (again.values() != full.values()) __builtin_trap();
        }
        (void)full.get_int("n", -1000, 1000);
    } catch (const ParamError&) {
    }
    try {
        const Params full = p.with_defaults("fuzz", kSpecs);
        (void)full.get_double("x", -1e9, 1e9);
        (void)full.get_bool("on");
        (void)full.get_choice("kind", {"a", "b", "c"});
    } catch (const ParamError&) {
    }
    return 0;
}
