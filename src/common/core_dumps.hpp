#pragma once

namespace zqe {

// Marks the process non-dumpable, as ssh-agent and gpg-agent do, so that the client secret in
// its memory never lands in a core file, and processes of the same user can neither ptrace it
// nor read its /proc/PID/mem or environ. A crash then leaves no core file; debug under gdb as
// root. Call it before the secret is read; a later change of user or group ID would undo it.
// Returns false when the kernel refuses (errno says why).
bool disable_core_dumps();

}  // namespace zqe
