#!/usr/bin/env python3
"""Generate a realistic member roster (.xlsx) for the import benchmark.

Layout, as a sub-district office would send it:
  row 1  merged title "石湫街道党员花名册（2021年冬训）"
  row 2  header 序号/姓名/性别/出生日期/手机号码/身份证号/所在单位/入党时间/人员类别
  row 3… one member per row

Every row is valid for `dongxun import members`:
  * 手机号码 unique, matching 1[3-9]\\d{9} (mostly text cells, some numeric cells
    the way Excel stores a typed number);
  * 身份证号 GB 11643: real area codes, birth date and sex digit consistent
    with 出生日期 and 性别, correct ISO 7064 MOD 11-2 check character (so ~9%
    end in X);
  * 出生日期 an Excel date cell (some "1965.03" month-precision text);
  * 入党时间 after the 18th birthday, as a date cell, "1998.07" or "1998年7月1日";
  * 所在单位 a branch that exists in the target database (read from --db);
  * phones and ID cards already in --db are never reused, so a fresh import
    inserts every row.

Written with XlsxWriter, which stores text in a shared-string table the way Excel and WPS save
a workbook (openpyxl writes inline strings, which no office suite produces).

With --bad-last-row the last member's 手机号码 is 7 digits, so `dongxun import members` reads
and checks every row and then rejects the file, naming that one row (bench/roster_parse.py).

Deterministic for a given --seed. Usage:
  gen_roster.py --db DEMO.db --rows 100000 -o roster.xlsx [--bad-last-row]
"""

import argparse
import datetime as dt
import random
import sqlite3
import sys
import time

import xlsxwriter

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
# 溧水区 (new and old codes) dominates; a few members born elsewhere.
AREAS = ["320117"] * 12 + ["320124"] * 6 + ["320115", "320102", "320104", "320106",
                                            "341122", "320281", "321283", "342501"]
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋"
            "蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段"
            "雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤芮濮")
GIVEN_M = "伟强磊军洋勇杰涛明超刚华平辉国建林峰斌波德春松荣福贵生祥发文武宝根才金山海云新庆"
GIVEN_F = "芳娜秀英敏静丽艳娟霞兰玉梅凤珍红燕琴萍桂华莲彩香菊月翠娣花琳雪婷慧"
PHONE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
                  "151", "152", "155", "157", "158", "159", "166", "173", "177", "180",
                  "181", "182", "183", "187", "188", "189", "191", "198", "199"]
HEADER = ["序号", "姓名", "性别", "出生日期", "手机号码", "身份证号", "所在单位", "入党时间", "人员类别"]


def check_char(first17):
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def add_years(d, years):
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def random_date(rng, start, end):
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="SQLite dongxun.db with the demo organisation")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=20211201)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--bad-last-row", action="store_true",
                    help="make the last member's phone invalid (7 digits): the import rejects the file")
    args = ap.parse_args()

    started = time.monotonic()
    con = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    branches = [r[0] for r in con.execute(
        "SELECT name FROM units WHERE kind = 'branch' AND retired_at IS NULL ORDER BY id")]
    taken_phones = {r[0] for r in con.execute("SELECT phone FROM members WHERE phone IS NOT NULL")}
    taken_phones |= {r[0] for r in con.execute("SELECT phone FROM users")}
    taken_cards = {r[0] for r in con.execute("SELECT id_card FROM members WHERE id_card IS NOT NULL")}
    con.close()
    if not branches:
        sys.exit("no branches in the database: seed it with `dongxun serve --demo` first")

    rng = random.Random(args.seed)
    today = dt.date.today()
    # Bigger villages have more members: a stable random weight per branch.
    branch_weights = [rng.uniform(0.5, 2.0) for _ in branches]

    wb = xlsxwriter.Workbook(args.output)
    ws = wb.add_worksheet("党员花名册")
    for col, width in enumerate([7, 10, 6, 12, 14, 21, 22, 12, 18]):
        ws.set_column(col, col, width)
    ws.merge_range(0, 0, 0, len(HEADER) - 1, "石湫街道党员花名册（2021年冬训）",
                   wb.add_format({"bold": True, "font_size": 16, "align": "center"}))
    ws.write_row(1, 0, HEADER, wb.add_format({"bold": True}))
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})

    def write(row, values):
        for col, value in enumerate(values):
            if isinstance(value, dt.date):
                ws.write_datetime(row, col, value, date_format)
            elif isinstance(value, str):
                if value:
                    ws.write_string(row, col, value)
            else:
                ws.write_number(row, col, value)

    phones, cards = set(taken_phones), set(taken_cards)
    for seq in range(1, args.rows + 1):
        male = rng.random() < 0.68
        surname = rng.choice(SURNAMES)
        given_pool = GIVEN_M if male else GIVEN_F
        given = "".join(rng.choice(given_pool) for _ in range(1 if rng.random() < 0.3 else 2))
        name = surname + given

        # Rural Party membership skews old: ages 19–96, many over 60.
        age = int(min(96, max(19, rng.gauss(58, 17))))
        birth_year = today.year - age - 1
        birth = random_date(rng, dt.date(birth_year, 1, 1), dt.date(birth_year, 12, 31))
        if add_years(birth, 18) > today:
            birth = add_years(today, -19)
        while True:
            seq3 = rng.randrange(0, 1000)
            if (seq3 % 2 == 1) != male:
                seq3 = (seq3 + 1) % 1000
            first17 = f"{rng.choice(AREAS)}{birth:%Y%m%d}{seq3:03d}"
            card = first17 + check_char(first17)
            if card not in cards:
                cards.add(card)
                break
        while True:
            phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if phone not in phones:
                phones.add(phone)
                break

        adult = add_years(birth, 18)
        joined = random_date(rng, adult + dt.timedelta(days=31), min(today, add_years(adult, 30)))
        joined = max(joined, dt.date(1949, 10, 1))
        if joined > today:
            joined = today
        style = rng.random()
        if style < 0.55:
            joined_cell = joined  # an Excel date
        elif style < 0.85:
            joined_cell = f"{joined.year}.{joined.month:02d}"  # 入党年月
        else:
            joined_cell = f"{joined.year}年{joined.month}月{joined.day}日"

        birth_cell = birth if rng.random() < 0.9 else f"{birth.year}.{birth.month:02d}"
        phone_cell = phone if rng.random() < 0.8 else int(phone)
        if args.bad_last_row and seq == args.rows:
            phone_cell = phone[:7]

        cats = []
        if age >= 70 and rng.random() < 0.8:
            cats.append("老党员")
        if rng.random() < 0.04:
            cats.append("困难党员")
        if 20 <= age <= 50 and rng.random() < 0.12:
            cats.append("流动党员")
        if age >= 65 and rng.random() < 0.3:
            cats.append("无智能手机")
        if age >= 60 and rng.random() < 0.05:
            cats.append("长期患病")

        unit = rng.choices(branches, weights=branch_weights)[0]
        write(seq + 1, [seq, name, "男" if male else "女", birth_cell, phone_cell, card, unit,
                        joined_cell, "、".join(cats)])

    wb.close()
    print(f"wrote {args.rows} rows to {args.output} ({len(branches)} branches) "
          f"in {time.monotonic() - started:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
