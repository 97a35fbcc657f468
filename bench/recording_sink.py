"""An SMTP sink that records each recipient it accepted with the time it arrived, one line
``<epoch seconds> <address>`` per recipient in the log file (flushed every few tenths of a
second), for benchmarks that count lost and duplicated messages and measure how long mail
took. Run: ``python bench/recording_sink.py --port P --log FILE``; it prints "ready" once it
listens and stops on SIGTERM."""

import argparse
import signal
import sys
import threading
import time

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, path: str):
        self.file = open(path, "a", buffering=1 << 16)  # noqa: SIM115 (closed at exit)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        now = f"{time.time():.3f}"
        with self.lock:
            for address in envelope.rcpt_tos:
                self.file.write(f"{now} {address.lower()}\n")
        return "250 Message accepted"

    def flush(self) -> None:
        with self.lock:
            self.file.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    recorder = Recorder(args.log)
    controller = Controller(recorder, hostname="127.0.0.1", port=args.port)
    controller.start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    print("ready", flush=True)
    while not stopped.wait(0.2):
        recorder.flush()
    controller.stop()
    recorder.flush()
    recorder.file.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
