// The Serial peer's sessions (harness/include/schedlab/harness/peer_sessions.hpp).
#include "schedlab/peers/serial.hpp"
#include "schedlab/harness/peer_sessions.hpp"

namespace schedlab::harness {
void add_serial_peer(Registry& r) { add_peer<peers::Serial>(r); }

}  // namespace schedlab::harness
