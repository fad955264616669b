# A Python worker printing numbered lines until stopped.
import signal
import sys
import time

def stop(signum, _frame):
    print(f"got signal {signum}", flush=True)
    sys.exit(0)

signal.signal(signal.SIGINT, stop)
signal.signal(signal.SIGTERM, stop)
n = 0
while True:
    n += 1
    print(f"py tick {n}", flush=True)
    time.sleep(0.2)
