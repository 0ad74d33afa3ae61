// Names of policies with template constants ("every-61", "3/4", "fixed-2"), built at compile
// time so that a policy's name stays a `static constexpr const char*` like every other.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace schedlab::policies::naming {

constexpr std::size_t digits(std::uint64_t v) {
    std::size_t d = 1;
    while (v >= 10) {
        v /= 10;
        ++d;
    }
    return d;
}

// A null-terminated string of a fixed size, filled piece by piece.
template <std::size_t Size>
struct Text {
    std::array<char, Size + 1> chars{};
    std::size_t used = 0;
    constexpr void put(const char* s) {
        while (*s) chars[used++] = *s++;
    }
    constexpr void put(std::uint64_t v) {
        const std::size_t d = digits(v);
        for (std::size_t i = 0; i < d; ++i) {
            chars[used + d - 1 - i] = static_cast<char>('0' + v % 10);
            v /= 10;
        }
        used += d;
    }
};

constexpr std::size_t length(const char* s) {
    std::size_t n = 0;
    while (s[n]) ++n;
    return n;
}

// prefix followed by V: with_number<"every-", 61> is "every-61" (prefix is a pointer constant).
template <const char* Prefix, std::uint64_t V>
inline constexpr auto with_number = [] {
    Text<length(Prefix) + digits(V)> t;
    t.put(Prefix);
    t.put(V);
    return t.chars;
}();

// "N/D".
template <std::uint64_t N, std::uint64_t D>
inline constexpr auto fraction = [] {
    Text<digits(N) + 1 + digits(D)> t;
    t.put(N);
    t.put("/");
    t.put(D);
    return t.chars;
}();

inline constexpr char kEvery[] = "every-";
inline constexpr char kFixed[] = "fixed-";
inline constexpr char kNumaLocalFirst[] = "numa-local-first-";
inline constexpr char kNumaBiased[] = "numa-biased-";

}  // namespace schedlab::policies::naming
