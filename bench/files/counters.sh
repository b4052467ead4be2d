#!/bin/sh
# Benchmark counters inside the guest (installed and removed by bench/run.sh):
#   counters.sh install   wrappers in /usr/local/sbin log every LVM command (tool and
#                         arguments) to /run/lvm-bench.log before running the real one,
#                         and its parent's pid with the tool to /run/lvm-bench.ppid.log (the
#                         module that ran it, when several runs share the guest);
#                         /usr/local/bin/bench-python3 logs every module execution
#                         (one Python start per module run with pipelining) to
#                         /run/bench-python.log
#   counters.sh reset     empty both logs
#   counters.sh remove    remove the wrappers and the logs
set -eu
TOOLS="lvm lvs vgs pvs lvcreate lvextend lvresize lvreduce lvchange lvremove lvrename lvconvert
lvdisplay vgdisplay pvdisplay vgcreate vgextend vgreduce vgremove vgchange pvcreate pvremove
pvresize pvchange lvmconfig lvscan vgscan pvscan"
case "$1" in
  install)
    for tool in $TOOLS; do
      # The wrapper's own $* and $PPID: expanded when the wrapper runs, not here.
      # shellcheck disable=SC2016
      printf '#!/bin/sh\necho "%s $*" >>/run/lvm-bench.log\necho "$PPID %s" >>/run/lvm-bench.ppid.log\nexec /usr/sbin/%s "$@"\n' \
        "$tool" "$tool" "$tool" >"/usr/local/sbin/$tool"
      chmod 755 "/usr/local/sbin/$tool"
    done
    printf '#!/bin/sh\necho "$$" >>/run/bench-python.log\nexec /usr/bin/python3 "$@"\n' >/usr/local/bin/bench-python3
    chmod 755 /usr/local/bin/bench-python3
    : >/run/lvm-bench.log; : >/run/lvm-bench.ppid.log; : >/run/bench-python.log ;;
  reset) : >/run/lvm-bench.log; : >/run/lvm-bench.ppid.log; : >/run/bench-python.log ;;
  remove)
    for tool in $TOOLS; do rm -f "/usr/local/sbin/$tool"; done
    rm -f /usr/local/bin/bench-python3 /run/lvm-bench.log /run/lvm-bench.ppid.log /run/bench-python.log ;;
  *) echo "usage: $0 install|reset|remove" >&2; exit 2 ;;
esac
