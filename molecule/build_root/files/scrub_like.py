"""Test fixture: try, again and again, the lock `mock --scrub=lvm` takes (lvm_root.py hook_scrub:
pool_lock.lock(exclusive=True), a non-blocking exclusive lockf on .lvm-pool-mock.<root>.lock),
release it at once, and count the attempts that found the lock held by someone else.

    python3 scrub_like.py PATH SECONDS

Prints 'started', then at the end 'attempts=N failed=M'.
"""
import fcntl
import sys
import time

path, seconds = sys.argv[1], float(sys.argv[2])
attempts = failed = 0
with open(path, 'a+') as lock_file:
    print('started', flush=True)
    end = time.time() + seconds
    while time.time() < end:
        attempts += 1
        try:
            fcntl.lockf(lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except IOError:
            failed += 1
        else:
            fcntl.lockf(lock_file.fileno(), fcntl.LOCK_UN)
        time.sleep(0.002)
print('attempts=%d failed=%d' % (attempts, failed), flush=True)
