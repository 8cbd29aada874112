#!/usr/bin/env python3
"""Runs a command and checks its exit code and that its output (stdout and stderr) contains every
expected string and none of the forbidden ones. Used by the suites' CTest tests.

    expect_run.py --exit-code 2 --expect "Valid cases" [--forbid "ops/"] -- bench_ops --case=nope
"""
import argparse
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--exit-code", type=int, required=True)
    parser.add_argument("--expect", action="append", default=[])
    parser.add_argument("--forbid", action="append", default=[])
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    output = result.stdout
    problems = []
    if result.returncode != args.exit_code:
        problems.append(f"exit code {result.returncode}, expected {args.exit_code}")
    problems += [f"output lacks {text!r}" for text in args.expect if text not in output]
    problems += [f"output contains {text!r}" for text in args.forbid if text in output]
    if problems:
        print(output)
        print("FAILED: " + "; ".join(problems))
        return 1
    print(output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
