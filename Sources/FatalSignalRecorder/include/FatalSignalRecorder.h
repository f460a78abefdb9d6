#ifndef WELFARE_FATAL_SIGNAL_RECORDER_H
#define WELFARE_FATAL_SIGNAL_RECORDER_H

/// Installs handlers for the signals a process dies of by itself (SIGILL and SIGTRAP from a Swift trap,
/// SIGSEGV, SIGBUS, SIGFPE, SIGABRT): each writes "signal N\n" into the file `fd` at the offset last set by
/// `welfare_fatal_signal_offset`, then lets the previous handler (or the default action) end the process.
/// Returns 0, or -1 when a handler could not be installed.
int welfare_record_fatal_signals(int fd);

/// Where in the file the next fatal signal is written (the end of what the process last wrote there).
void welfare_fatal_signal_offset(long offset);

#endif
