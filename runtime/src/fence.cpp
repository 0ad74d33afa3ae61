// The heavy side of the asymmetric fences (spinlock.hpp): Linux's membarrier.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "schedlab/runtime/detail.hpp"
#include "schedlab/runtime/spinlock.hpp"

namespace schedlab::rt::detail {

std::atomic<bool> asymmetric_fences{false};

namespace {
long membarrier(int cmd) { return syscall(SYS_membarrier, cmd, 0u, 0); }
}  // namespace

bool init_asymmetric_fences() {
    static const bool ok = [] {
#if defined(__SANITIZE_THREAD__)
        return false;
#else
        const char* off = std::getenv("SCHEDLAB_NO_MEMBARRIER");
        if (off && *off && std::strcmp(off, "0") != 0) return false;
        const long cmds = membarrier(MEMBARRIER_CMD_QUERY);
        if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) return false;
        if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0) return false;
        return true;
#endif
    }();
    asymmetric_fences.store(ok, std::memory_order_relaxed);
    return ok;
}

void membarrier_fence() {
    if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0)
        fatal("membarrier failed after it was registered: %s", std::strerror(errno));
}

}  // namespace schedlab::rt::detail
