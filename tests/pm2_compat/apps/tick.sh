#!/bin/sh
# A shell worker: numbered lines until stopped.
n=0
trap 'echo "got signal"; exit 0' INT TERM
while :; do
  n=$((n + 1))
  echo "shell tick $n"
  sleep 0.2
done
