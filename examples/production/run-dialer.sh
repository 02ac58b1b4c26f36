#!/bin/sh
# Run, or finish, the dialer job whose files are in the current directory.
#
# In: numbers.csv. Out: report-N.csv, each with its journal report-N.csv.journal.
# The first start writes report-1.csv. Every later start (after SIGTERM, a crash,
# kill -9, a lost node) resumes the newest report and writes the next one: what an
# earlier run sent, may have sent or had in flight is skipped, so nobody is called
# twice. The settings come from the environment: THULIUM_QUEUE (required),
# DIALER_RATE (default 20), DIALER_GRACE (default 30, seconds: keep it below the stop
# timeout of systemd or Kubernetes) and PYTHON (default python3), besides the
# client's THULIUM_BASE_URL, THULIUM_USERNAME and THULIUM_PASSWORD.
set -eu
queue="${THULIUM_QUEUE:?set THULIUM_QUEUE to the queue id}"
n=1
while [ -e "report-$n.csv.journal" ]; do
    n=$((n + 1))
done
if [ "$n" -gt 1 ]; then
    set -- --resume "report-$((n - 1)).csv"
fi
# exec: the dialer itself receives SIGTERM, and its exit code is the job's.
exec "${PYTHON:-python3}" -m thulium_async schedule-calls "$queue" numbers.csv \
    --rate "${DIALER_RATE:-20}" --grace "${DIALER_GRACE:-30}" \
    --report "report-$n.csv" "$@"
