"""Test fixture: hold a POSIX lockf lock on a file the way a running mock build does.

    python3 hold_lock.py PATH [shared|exclusive] SECONDS

Opens PATH with 'a+' as mock's Lock class does, takes the lock, prints 'held'
and sleeps; killing the process releases the lock, as when a build exits.
"""
import fcntl
import sys
import time

path, mode, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
with open(path, 'a+') as handle:
    fcntl.lockf(handle.fileno(), fcntl.LOCK_SH if mode == 'shared' else fcntl.LOCK_EX)
    print('held', flush=True)
    time.sleep(seconds)
