// The one translation unit that compiles the scheduler for the Go bundle.
#include "schedlab/runtime/runtime_impl.hpp"
#include "schedlab/runtime/schedlab.hpp"

template class schedlab::rt::Runtime<schedlab::policies::Go>;
