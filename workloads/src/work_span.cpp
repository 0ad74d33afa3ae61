#include "schedlab/workloads/work_span.hpp"

namespace schedlab::workloads::work_span::detail {

namespace {
// The frame of the measured task running on this thread (see work_span.hpp). The only
// thread-local of the workloads, used by instrumented runs only.
thread_local Frame* tls_frame = nullptr;
}  // namespace

Frame* current_frame() { return tls_frame; }
void set_current_frame(Frame* f) { tls_frame = f; }

}  // namespace schedlab::workloads::work_span::detail
