#!/usr/bin/env python3
"""Writes N synthetic participants as CSV for imports and benchmarks.

    scripts/gen-participants.py N PROJECT_ID[,PROJECT_ID...] [--seed S] [--bad-line L] [--first K]

Every row has a valid, distinct PESEL (so re-importing the file finds each person
again) and an external id. --bad-line L makes data line L carry a PESEL with a
wrong check digit. Names are made up; nothing here is anyone's data.
"""
import argparse
import random
import sys

WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
FIRST = ["Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Jan", "Piotr", "Krzysztof", "Andrzej", "Tomasz"]
LAST = ["Nowak", "Kowalska", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamińska", "Lewandowski", "Zielińska", "Szymański", "Woźniak"]
EDUCATION = ["isced_0_2", "isced_3_4", "isced_5_8", "not_stated"]


def pesel(year, month, day, serial):
    month_code = month + (20 if year >= 2000 else 0)
    digits = f"{year % 100:02d}{month_code:02d}{day:02d}{serial:04d}"
    check = (10 - sum(int(d) * w for d, w in zip(digits, WEIGHTS)) % 10) % 10
    return digits + str(check)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", type=int)
    parser.add_argument("projects")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bad-line", type=int, default=0)
    parser.add_argument("--first", type=int, default=0, help="number of the first person (files with different ranges hold different people)")
    args = parser.parse_args()
    projects = [int(p) for p in args.projects.split(",")]
    rng = random.Random(args.seed)
    out = sys.stdout
    out.write("project_id,external_id,first_name,last_name,pesel,education,joined_on\n")
    for n in range(args.first, args.first + args.rows):
        # Distinct PESELs: the row number picks the birth day and the serial.
        day_index, serial = divmod(n, 10000)
        year = 1950 + day_index // 336
        month = 1 + (day_index // 28) % 12
        day = 1 + day_index % 28
        number = pesel(year, month, day, serial)
        if n - args.first + 1 == args.bad_line:
            number = number[:10] + str((int(number[10]) + 1) % 10)
        project = projects[n % len(projects)]
        out.write(f"{project},P-{n:08d},{rng.choice(FIRST)},{rng.choice(LAST)},{number},{rng.choice(EDUCATION)},2024-0{1 + n % 9}-15\n")


if __name__ == "__main__":
    main()
