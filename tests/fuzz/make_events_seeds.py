#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_events_parser: the text fixtures and hand-written edge cases.

Usage: make_events_seeds.py tests/fixtures OUT_DIR
An input is three option bytes (see setup_from in fuzz_events_parser.cpp) followed by the text. Each fixture
gets the options it is really read with (tests/fixtures/README.md), cut to its first 40 lines to keep the
corpus small. Deterministic.
"""
import gzip
import os
import sys

# byte 0: format | delimiter << 2 | no_header << 4 | strict << 5 | columns << 6
# byte 1: actions | action_suffix << 2 | other_default << 3 | columns2 << 4
# byte 2: delim2 | name_line << 2 | extra << 3 (extra: 5 CRLF, 6 plain file, 7 gzip file)
AUTO, CSV, TEXT = 0, 1, 2
D_AUTO, D_COMMA, D_SEMI, D_TAB = 0, 1, 2, 3
C_NONE, C_NAMES, C_POS, C_LINE = 0, 1, 2, 3
A_NONE, A_JD, A_TAOBAO, A_LINE = 0, 1, 2, 3


D2_NONE, D2_SPACE, D2_PIPE, D2_BYTE = 0, 1, 2, 3


def opts(fmt=AUTO, delim=D_AUTO, no_header=0, strict=0, columns=C_NONE, actions=A_NONE, suffix=0, default2=0,
         columns2=0, delim2=D2_NONE, name_line=0, via_file=0, via_gzip=0, crlf=0):
    return bytes([fmt | delim << 2 | no_header << 4 | strict << 5 | columns << 6,
                  actions | suffix << 2 | default2 << 3 | columns2 << 4,
                  delim2 | name_line << 2 | (5 if crlf else 6 if via_file else 7 if via_gzip else 0) << 3])


FIXTURES = {
    "taobao_head60.csv": opts(no_header=1, columns=C_POS, actions=A_TAOBAO, via_gzip=1),
    "diginetica_views_head60.csv": opts(crlf=1),
    "diginetica_purchases_head60.csv.gz": opts(delim=D_SEMI, suffix=1, via_file=1),
    "otto_head2.csv": opts(columns2=1),
    "video_head60.txt": opts(fmt=TEXT, via_file=1),
    "beauty_head20.txt.gz": opts(strict=1, crlf=1),
    "yoochoose_train_full_head60.txt": opts(delim=D_TAB, via_gzip=1),
    "jd_train_head60.csv.gz": opts(columns=C_LINE, actions=A_JD),
}
JD_COLUMNS = "user=user_id,item=sku_id,action=type,time=action_time\n"

EDGE_CASES = {
    "bom_crlf": (opts(), "\ufeffuser_id,item_id,timestamp\r\n1,a,10\r\n1,b,5\r\n\r\n2,c,1e3\r\n"),
    "quotes": (opts(strict=1), 'user,item,action\n"u,1","it ""x""",view\n u2 , "b" ,"buy"\n'),
    "quote_errors": (opts(), 'user,item\n"u1,a\nu2,"b"x\n"u3",c\n'),
    "semicolon_quotes": (opts(delim=D_SEMI), 'session;item;type\n"1;2";"x";"a"\n3;y;b\n'),
    "times": (opts(columns2=2), "\n".join([
        "1,i,2020-02-29", "2,i,2021-02-29", "3,i,2020-01-01T00:00:00Z", "4,i,2020-01-01 23:59:60.999+05:30",
        "5,i,2020-01-01T00:00:00-0800", "6,i,1511658000123", "7,i,-1.5", "8,i,+42", "9,i,1396437466.94",
        "10,i,999999999999999999", "11,i,0000-01-01", "12,i,2020-13-01", "13,i,2020-01-01T24:00:00",
        "14,i,2020-01-01T00:00:00+2", "15,i,.5", "16,i, 7 "]) + "\n"),
    "positional_header_guess": (opts(columns=C_POS), "u,i,c,a,t\n1,2,3,pv,1511658000\n1,3,3,buy,bad\n"),
    "named_columns_line": (opts(columns=C_LINE, actions=A_LINE),
                           "user = S , item=P,action=E,time=T,category=C\n1=view,2=buy\n"
                           "S,P,E,T,C\ns1,p1,1,1,c1\ns1,p2,2,2,\ns2,p1,3,3,c2\n"),
    "bad_columns_line": (opts(columns=C_LINE), "user=0,user=1,item=2\n1,2,3\n"),
    "bad_actions_line": (opts(actions=A_LINE), "1=view,1=buy\nuser,item,type\n1,2,1\n"),
    "same_column": (opts(columns=C_LINE, no_header=1), "user=0,item=0\n1,2\n"),
    "sasrec_mixed": (opts(), "u1 i1 i2\tI3\n\nu2\nu3 " + "x" * 257 + "\n  u4   i4  \n"),
    "text_forced_on_csv": (opts(fmt=TEXT, suffix=1), "user,item\n1,2\n"),
    "csv_forced_on_text": (opts(fmt=CSV, no_header=1), "1 2 3\n4 5 6\n"),
    "header_only": (opts(), "session_id,item_id\n"),
    "empty": (opts(), ""),
    "blank_lines": (opts(), "\n\n \t \n\r\n"),
    "unknown_header": (opts(), "who,what\n1,2\n"),
    "no_header_one_field": (opts(no_header=1), "1\n2\n"),
    "long_fields": (opts(strict=1), "user,item,category,action\n1,x," + "c" * 257 + ",v\n"),
    "long_action": (opts(), "user,item,action\n1,x," + "a" * 65 + "\n1,y,ok\n"),
    "many_actions": (opts(), "user,item,action\n" + "".join(f"1,x,a{k}\n" for k in range(34))),
    "tab_padding": (opts(delim=D_TAB), "user\titem\n 1 \t 2 \n\t\n3\t\t\n"),
    "space_delimiter": (opts(delim2=D2_SPACE, no_header=1, crlf=1), "1  2\n 3 4 \n5\t6 7\n"),
    "pipe_delimiter": (opts(delim2=D2_PIPE, via_file=1), "user|item|ts\n1|\"a|b\"|5\n"),
    "byte_delimiter": (opts(delim2=D2_BYTE, strict=1), "#user#item\n1#2\n"),
    "newline_delimiter": (opts(delim2=D2_BYTE), "\nuser\nitem\n"),
    "name_line": (opts(name_line=1, via_gzip=1), "views.csv#action= cart \nuser,item\n1,2\n"),
    "name_empty_path": (opts(name_line=1), "#action=buy\nuser,item\n1,2\n"),
    "name_long_action": (opts(name_line=1), "f#action=" + "a" * 65 + "\nuser,item\n1,2\n"),
    "default_action_suffix": (opts(default2=1, suffix=1, via_file=1), "user_id;sku;ts\nA;B;2016-05-09\n"),
}


def main():
    fixtures, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for name, o in FIXTURES.items():
        path = os.path.join(fixtures, name)
        raw = gzip.open(path, "rb").read() if name.endswith(".gz") else open(path, "rb").read()
        text = b"".join(raw.splitlines(keepends=True)[:40])
        if name.startswith("jd_"):
            text = JD_COLUMNS.encode() + text
        base = name[:-3] if name.endswith(".gz") else name
        with open(os.path.join(out, "fixture_" + base), "wb") as f:
            f.write(o + text)
    for name, (o, text) in EDGE_CASES.items():
        with open(os.path.join(out, "edge_" + name), "wb") as f:
            f.write(o + text.encode())


if __name__ == "__main__":
    main()
