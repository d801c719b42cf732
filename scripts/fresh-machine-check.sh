#!/usr/bin/env bash
# Fresh-machine check: on a minimal Debian with only Node.js, npm and git, as root, with the clone in
# /root (mode 700), the README's two commands do all the set-up:
#
#   npm ci && npm start   must reach "ready:" with the demo job's three directories submitted, then
#                         stop cleanly on Ctrl-C (SIGINT to its whole process group);
#   npm ci && npm test    must pass.
#
# Each command runs on its own fresh machine: a root filesystem built with debootstrap (Debian's
# minbase variant plus git), this machine's Node.js and npm copied into /usr/local, the repository
# cloned with that git into /root/directorybolt, and the command run as root in a chroot with its own
# mount and PID namespaces (/proc, a minimal /dev, a 64 MiB /dev/shm, /dev/pts, as a container has).
# Nothing else is installed. It takes minutes, so it is not part of `npm test`.
#
# Usage, as root on Linux x64 with debootstrap (apt-get install -y debootstrap), unshare and chroot:
#
#   scripts/fresh-machine-check.sh [--repo <path or URL>] [--ref <commit>] [--only start|test]
#                                  [--suite bookworm] [--mirror <Debian mirror URL>]
#                                  [--workdir <dir>] [--keep]
#
# --repo defaults to this repository and --ref to its HEAD (commit your changes first, or point --repo
# at a clone that has them). The machine's network settings are passed in so the npm registry can be
# reached as from this machine: proxy variables and NODE_EXTRA_CA_CERTS (the file is copied in).
# Logs stay in <workdir>/logs (the command's output, and the test run's PostgreSQL log); the root filesystems are removed unless --keep.
set -euo pipefail

project=$(cd "$(dirname "$0")/.." && pwd)
repo=$project
ref=HEAD
only=""
suite=bookworm
mirror=http://deb.debian.org/debian
workdir=""
keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --repo) repo=$2; shift 2 ;;
    --ref) ref=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --suite) suite=$2; shift 2 ;;
    --mirror) mirror=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "fresh-machine check: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "run it as root: debootstrap and chroot need it."
[ "$(uname -m)" = x86_64 ] || die "it needs Linux x64 (the project's Chromium is x64 only)."
for tool in debootstrap unshare chroot git; do
  command -v "$tool" >/dev/null || die "$tool is missing: apt-get install -y debootstrap (unshare and chroot are in util-linux and coreutils)."
done
node=$(command -v node) || die "Node.js is missing on this machine: it is copied into the fresh one."
npm_dir=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd) || die "npm is missing."
if [ -d "$repo/.git" ] || git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
  ref=$(git -C "$repo" rev-parse --verify "$ref^{commit}")
  repo=$(cd "$repo" && pwd)
fi

workdir=${workdir:-$(mktemp -d /var/tmp/directorybolt-fresh-machine.XXXXXX)}
mkdir -p "$workdir/logs"
logs=$workdir/logs
base=$workdir/base
now() { date +%s; }
elapsed() { echo $(( $(now) - $1 )); }

mounted_under() { grep -q " $1/" /proc/self/mounts; }
remove_tree() {
  # Never delete through a mount that is still there (the namespaces end with the command, so none
  # should be).
  if mounted_under "$1"; then echo "left $1 in place: something is still mounted under it" >&2; return; fi
  rm -rf "$1"
}
cleanup() {
  if [ "$keep" = 0 ]; then
    for dir in "$base" "$workdir"/machine-*; do [ -e "$dir" ] && remove_tree "$dir"; done
  fi
  return 0
}
trap cleanup EXIT

echo "fresh-machine check of $repo at $ref"
echo "  Debian $suite (minbase + git) from $mirror; Node $("$node" --version) and npm $(npm --version) from this machine"
echo "  logs in $logs"

# --- the base machine: Debian and Node.js with npm, nothing else -------------------------------------
started=$(now)
debootstrap --variant=minbase --include=git "$suite" "$base" "$mirror" >"$logs/debootstrap.log" 2>&1 \
  || die "debootstrap failed (see $logs/debootstrap.log)."
install -D -m 0755 "$node" "$base/usr/local/bin/node"
mkdir -p "$base/usr/local/lib/node_modules"
cp -a "$npm_dir" "$base/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$base/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$base/usr/local/bin/npx"
chmod 700 "$base/root"
# Network settings of this machine, so that the registry is reachable from the fresh one as from here.
passed_env=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb)
for name in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY npm_config_registry; do
  if [ -n "${!name:-}" ]; then passed_env+=("$name=${!name}"); fi
done
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  install -D -m 0644 "$NODE_EXTRA_CA_CERTS" "$base/etc/fresh-machine-check/extra-ca-certs.pem"
  passed_env+=(NODE_EXTRA_CA_CERTS=/etc/fresh-machine-check/extra-ca-certs.pem)
fi
base_seconds=$(elapsed "$started")
echo "  base machine built in ${base_seconds} s"

# What runs inside a machine, as root: clone as a user would, then the README's command.
cat >"$base/usr/local/sbin/fresh-machine-run" <<'RUN'
#!/bin/bash
set -u
command=$1 source=$2 ref=$3 log=/var/log/fresh-machine/$1.log
mkdir -p /var/log/fresh-machine
# safe.directory: the source may belong to another user of the outer machine.
git -c safe.directory='*' clone --quiet "$source" /root/directorybolt \
  && git -C /root/directorybolt checkout --quiet "$ref" || exit 3
cd /root/directorybolt
case $command in
  test)
    bash -c 'npm ci && npm test' >"$log" 2>&1
    ;;
  start)
    # A job of its own, in its own process group, as a terminal runs it; Ctrl-C then goes to the group.
    setsid bash -c 'npm ci && npm start' >"$log" 2>&1 </dev/null &
    job=$!
    until grep -q '^ready: ' "$log" 2>/dev/null || ! kill -0 "$job" 2>/dev/null; do sleep 1; done
    grep -q '^ready: ' "$log" || { wait "$job"; exit 1; }
    sleep 2
    kill -INT -- "-$job"
    for _ in $(seq 60); do kill -0 -- "-$job" 2>/dev/null || break; sleep 1; done
    if kill -0 -- "-$job" 2>/dev/null; then echo 'still running 60 s after Ctrl-C' >>"$log"; exit 1; fi
    fail() { echo "fresh-machine check: $1" >>"$log"; exit 1; }
    [ "$(grep -cE ' submitted +attempt ' "$log")" = 3 ] || fail 'the demo job did not submit all three directories'
    tail -n 1 "$log" | grep -qx 'stopped' || fail 'no clean stop after Ctrl-C'
    ! grep -qE '57P01|^\s+at ' "$log" || fail 'errors printed'
    sleep 1
    for status in /proc/[0-9]*/status; do
      if grep -qx $'Name:\tpostgres' "$status" 2>/dev/null; then fail 'PostgreSQL still running after Ctrl-C'; fi
    done
    exit 0
    ;;
esac
RUN
chmod 0755 "$base/usr/local/sbin/fresh-machine-run"

# Runs `fresh-machine-run <command>` in a copy of the base machine.
run_machine() {
  local command=$1 machine=$workdir/machine-$1
  cp -a "$base" "$machine"
  mkdir -p "$machine/mnt/source"
  unshare --mount --pid --fork --propagation private \
    bash -c "$enter" bash "$machine" "$repo" "$ref" "$command" "${passed_env[@]}"
}

# Mounts what a container has and runs the command in the machine (inside new mount and PID namespaces:
# everything is unmounted, and every process left is killed, when the command ends).
enter=$(cat <<'ENTER'
set -e
machine=$1 repo=$2 ref=$3 command=$4; shift 4
source=$repo
if [ -d "$repo" ]; then mount --bind -o ro "$repo" "$machine/mnt/source"; source=/mnt/source; fi
mount -t proc proc "$machine/proc"
mount -t tmpfs -o mode=0755,size=1m dev "$machine/dev"
for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  IFS=: read -r name major minor <<<"$node"
  mknod -m 0666 "$machine/dev/$name" c "$major" "$minor"
done
ln -s /proc/self/fd "$machine/dev/fd"
ln -s /proc/self/fd/0 "$machine/dev/stdin"
ln -s /proc/self/fd/1 "$machine/dev/stdout"
ln -s /proc/self/fd/2 "$machine/dev/stderr"
mkdir "$machine/dev/shm" "$machine/dev/pts"
mount -t tmpfs -o mode=1777,size=64m shm "$machine/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$machine/dev/pts"
ln -s pts/ptmx "$machine/dev/ptmx"
exec chroot "$machine" /usr/bin/env -i "$@" /usr/local/sbin/fresh-machine-run "$command" "$source" "$ref"
ENTER
)

status=0
report=()
for command in start test; do
  [ -n "$only" ] && [ "$only" != "$command" ] && continue
  echo "  npm ci && npm $command ..."
  started=$(now)
  if run_machine "$command"; then result=PASS; else result=FAIL; status=1; fi
  seconds=$(elapsed "$started")
  cp "$workdir/machine-$command/var/log/fresh-machine/$command.log" "$logs/$command.log" 2>/dev/null || true
  # The test run's PostgreSQL server log (test/support/global-setup.ts), for failures that start there.
  cp "$workdir/machine-$command/root/directorybolt/.local-data/test-postgres.log" "$logs/test-postgres.log" \
    2>/dev/null || true
  detail=""
  if [ "$command" = test ]; then
    detail=$(grep -E '^Tests: ' "$logs/test.log" 2>/dev/null | tail -n 1 || true)
  else
    detail=$(grep -E '^  (completed|failed): ' "$logs/start.log" 2>/dev/null | tail -n 1 | sed 's/^ *//' || true)
  fi
  report+=("$(printf '  %-22s %s  %4d s  %s' "npm ci && npm $command" "$result" "$seconds" "$detail")")
  echo "${report[-1]}"
  [ "$keep" = 0 ] && remove_tree "$workdir/machine-$command"
done

echo
echo "fresh-machine check: Debian $suite minbase + git, Node $("$node" --version), root, clone in /root (mode 700)"
echo "  base machine           ${base_seconds} s"
printf '%s\n' "${report[@]}"
if [ "$status" = 0 ]; then echo "RESULT: PASS"; else echo "RESULT: FAIL (logs in $logs)"; fi
exit "$status"
