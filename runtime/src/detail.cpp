#include "schedlab/runtime/detail.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>

#include "schedlab/runtime/stack_pool.hpp"

namespace schedlab::rt {

const char* wait_reason_name(WaitReason r) {
    switch (r) {
        case WaitReason::None: return "running";
        case WaitReason::ChanSend: return "chan send";
        case WaitReason::ChanRecv: return "chan receive";
        case WaitReason::Select: return "select";
        case WaitReason::WaitGroup: return "WaitGroup wait";
        case WaitReason::Mutex: return "Mutex lock";
        case WaitReason::Sleep: return "sleep";
        case WaitReason::MemoryLimit: return "memory limit";
        case WaitReason::kCount: break;
    }
    return "unknown";
}

namespace detail {
namespace {
thread_local void* tls_m = nullptr;

constexpr int kMaxPools = 64;
std::atomic<const StackPool*> g_pools[kMaxPools];
struct sigaction g_old_segv;
struct sigaction g_old_bus;

void write_stderr(const char* s, std::size_t n) {
    while (n > 0) {
        ssize_t w = ::write(2, s, n);
        if (w <= 0) return;
        s += w;
        n -= static_cast<std::size_t>(w);
    }
}

void write_overflow_message(std::uint64_t gid, std::size_t stack_size) {
    char buf[256];
    int n = std::snprintf(buf, sizeof buf,
                          "schedlab: stack overflow in G %llu (stack size %zu bytes); "
                          "raise Options::stack_size\n",
                          static_cast<unsigned long long>(gid), stack_size);
    if (n > 0) write_stderr(buf, static_cast<std::size_t>(n));
}

void on_fault(int sig, siginfo_t* info, void* uctx) {
    for (auto& slot : g_pools) {
        const StackPool* pool = slot.load(std::memory_order_acquire);
        const Stack* st = nullptr;
        if (pool && pool->in_guard_page(info->si_addr, &st)) {
            write_overflow_message(st->owner_gid, pool->stack_size());
            ::signal(sig, SIG_DFL);  // returning re-runs the faulting access and dies of it
            return;
        }
    }
    // Not ours: hand the fault to whoever handled it before (a sanitizer, the default).
    const struct sigaction& old = sig == SIGSEGV ? g_old_segv : g_old_bus;
    if (old.sa_flags & SA_SIGINFO) {
        if (old.sa_sigaction) {
            old.sa_sigaction(sig, info, uctx);
            return;
        }
    } else if (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN) {
        old.sa_handler(sig);
        return;
    }
    ::signal(sig, SIG_DFL);
    // A fault re-runs its access on return and dies of it; a signal sent by kill() or raise()
    // (si_code <= 0) would be lost instead: send it again, taken on return with the default.
    if (info->si_code <= 0) ::raise(sig);
}
}  // namespace

void* current_m() { return tls_m; }
void set_current_m(void* m) { tls_m = m; }

void fatal(const char* fmt, ...) {
    std::fflush(stdout);
    std::fputs("schedlab: ", stderr);
    va_list ap;
    va_start(ap, fmt);
    std::vfprintf(stderr, fmt, ap);
    va_end(ap);
    std::fputc('\n', stderr);
    std::fflush(stderr);
    std::_Exit(2);
}

void report_deadlock(const std::size_t (&by_reason)[std::size_t(WaitReason::kCount)],
                     std::size_t blocked) {
    std::fflush(stdout);
    std::fprintf(stderr, "schedlab: all Gs are asleep - deadlock! %zu blocked G%s:", blocked,
                 blocked == 1 ? "" : "s");
    const char* sep = " ";
    for (std::size_t i = 0; i < std::size_t(WaitReason::kCount); ++i)
        if (by_reason[i]) {
            std::fprintf(stderr, "%s%zu in %s", sep, by_reason[i],
                         wait_reason_name(static_cast<WaitReason>(i)));
            sep = ", ";
        }
    std::fputc('\n', stderr);
    std::fflush(stderr);
    std::_Exit(2);
}

void report_g_exception(std::uint64_t gid, const char* what) {
    fatal("G %llu terminated by an uncaught exception: %s", static_cast<unsigned long long>(gid),
          what);
}

void report_canary_overflow(std::uint64_t gid, std::size_t stack_size) {
    std::fflush(stdout);
    write_overflow_message(gid, stack_size);
    ::signal(SIGSEGV, SIG_DFL);
    ::raise(SIGSEGV);
    std::_Exit(2);  // SIGSEGV blocked: still end here
}

void install_overflow_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction sa;
        std::memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_fault;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGSEGV, &sa, &g_old_segv);
        ::sigaction(SIGBUS, &sa, &g_old_bus);
    });
}

void register_stack_pool(const StackPool* pool) {
    for (auto& slot : g_pools) {
        const StackPool* empty = nullptr;
        if (slot.compare_exchange_strong(empty, pool)) return;
    }
    // More than kMaxPools live runtimes: overflows of this one are reported as plain faults.
}

void unregister_stack_pool(const StackPool* pool) {
    for (auto& slot : g_pools) {
        const StackPool* mine = pool;
        if (slot.compare_exchange_strong(mine, nullptr)) return;
    }
}

namespace {
constexpr std::size_t kAltStackSize = 64 * 1024;
}

AltSignalStack::AltSignalStack() {
    static_assert(sizeof(stack_t) <= sizeof(old_));
    void* mem = ::mmap(nullptr, kAltStackSize, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) return;
    stack_t ss{};
    ss.ss_sp = mem;
    ss.ss_size = kAltStackSize;
    if (::sigaltstack(&ss, reinterpret_cast<stack_t*>(old_)) != 0) {
        ::munmap(mem, kAltStackSize);
        return;
    }
    mem_ = mem;
    installed_ = true;
}

AltSignalStack::~AltSignalStack() {
    if (!installed_) return;
    auto* old = reinterpret_cast<stack_t*>(old_);
    if (old->ss_flags & SS_DISABLE) {
        stack_t off{};
        off.ss_flags = SS_DISABLE;
        ::sigaltstack(&off, nullptr);
    } else {
        ::sigaltstack(old, nullptr);
    }
    ::munmap(mem_, kAltStackSize);
}

void thread_stack_bounds(const void** bottom, std::size_t* size) {
    *bottom = nullptr;
    *size = 0;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
    void* addr = nullptr;
    std::size_t sz = 0;
    if (pthread_attr_getstack(&attr, &addr, &sz) == 0) {
        *bottom = addr;
        *size = sz;
    }
    pthread_attr_destroy(&attr);
}

std::uint64_t now_ns() {
    timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull +
           static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace detail
}  // namespace schedlab::rt
