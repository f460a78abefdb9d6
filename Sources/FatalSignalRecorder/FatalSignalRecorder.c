// Records the signal a worker process dies of in its processing marker, so that the next start can say
// which signal killed it while it handled a message. Only async-signal-safe calls run in the handler.

#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "FatalSignalRecorder.h"

static volatile int marker_fd = -1;
static volatile long marker_offset = 0;
static const int recorded_signals[] = {SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT};
#define RECORDED_COUNT (sizeof(recorded_signals) / sizeof(recorded_signals[0]))
static struct sigaction previous[RECORDED_COUNT];

static void record(int signal_number) {
    char text[32] = "signal ";
    int length = 7;
    char digits[12];
    int count = 0;
    int value = signal_number;
    do { digits[count++] = (char)('0' + value % 10); value /= 10; } while (value > 0 && count < 11);
    while (count > 0) text[length++] = digits[--count];
    text[length++] = '\n';
    if (marker_fd >= 0) (void)pwrite(marker_fd, text, (size_t)length, (off_t)marker_offset);
    for (unsigned index = 0; index < RECORDED_COUNT; index++) {
        if (recorded_signals[index] == signal_number) {
            // Hand the signal on: the previous handler (Swift's backtracer, say) or the default action.
            sigaction(signal_number, &previous[index], NULL);
            raise(signal_number);
            return;
        }
    }
}

int welfare_record_fatal_signals(int fd) {
    marker_fd = fd;
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = record;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_NODEFER | SA_RESETHAND | SA_ONSTACK;
    int result = 0;
    for (unsigned index = 0; index < RECORDED_COUNT; index++) {
        if (sigaction(recorded_signals[index], &action, &previous[index]) != 0) result = -1;
    }
    return result;
}

void welfare_fatal_signal_offset(long offset) { marker_offset = offset; }
