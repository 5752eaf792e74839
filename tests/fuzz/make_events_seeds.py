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
# byte 1: actions | action_suffix << 2 | other_default << 3 | columns2 << 4 | preset << 6
# byte 2: delim2 | name_line << 2 | extra << 3 (extra: 5 CRLF, 6 plain file, 7 gzip file) | drop_unmapped << 6
#         | time_byte << 7
# time byte (when given, the first byte of the text; seeds with it take no columns/actions line and no delimiter
# byte before it): unit | zone << 3 | layout << 5 (time_options_from in fuzz_events_parser.cpp)
U_AUTO, U_S, U_MS, U_US, U_NS, U_BAD = 0, 1, 2, 3, 4, 6
Z_UTC, Z_OFFSET, Z_BERLIN, Z_BAD = 0, 1, 2, 3
F_NONE, F_DMY, F_COMPACT, F_LINE = 0, 1, 2, 3
AUTO, CSV, TEXT, JSONL = 0, 1, 2, 3
P_NONE, P_OTTO, P_GA4, P_SEGMENT = 0, 1, 2, 3
D_AUTO, D_COMMA, D_SEMI, D_TAB = 0, 1, 2, 3
C_NONE, C_NAMES, C_POS, C_LINE = 0, 1, 2, 3
A_NONE, A_JD, A_TAOBAO, A_LINE = 0, 1, 2, 3


D2_NONE, D2_SPACE, D2_PIPE, D2_BYTE = 0, 1, 2, 3


def opts(fmt=AUTO, delim=D_AUTO, no_header=0, strict=0, columns=C_NONE, actions=A_NONE, suffix=0, default2=0,
         columns2=0, delim2=D2_NONE, name_line=0, via_file=0, via_gzip=0, crlf=0, preset=P_NONE, drop=0,
         times=None):
    head = bytes([fmt | delim << 2 | no_header << 4 | strict << 5 | columns << 6,
                  actions | suffix << 2 | default2 << 3 | columns2 << 4 | preset << 6,
                  delim2 | name_line << 2 | (5 if crlf else 6 if via_file else 7 if via_gzip else 0) << 3 | drop << 6
                  | (times is not None) << 7])
    return head if times is None else head + bytes([times[0] | times[1] << 3 | times[2] << 5])


FIXTURES = {
    "taobao_head60.csv": opts(no_header=1, columns=C_POS, actions=A_TAOBAO, via_gzip=1),
    "diginetica_views_head60.csv": opts(crlf=1),
    "diginetica_purchases_head60.csv.gz": opts(delim=D_SEMI, suffix=1, via_file=1),
    "otto_head2.csv": opts(columns2=1),
    "video_head60.txt": opts(fmt=TEXT, via_file=1),
    "beauty_head20.txt.gz": opts(strict=1, crlf=1),
    "yoochoose_train_full_head60.txt": opts(delim=D_TAB, via_gzip=1),
    "jd_train_head60.csv.gz": opts(columns=C_LINE, actions=A_JD),
    "otto_head2.jsonl": opts(via_gzip=1),
    "presets/ga4_events.jsonl": opts(preset=P_GA4, crlf=1),
    "presets/segment_tracks.jsonl": opts(preset=P_SEGMENT, strict=1),
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
    # Times (issue 13): warehouse zone suffixes, epoch units and their per-file detection, numbers as strings,
    # the 1995-2100 range.
    "times_zones": (opts(columns2=2, crlf=1), "\n".join([
        "i,1,2019-10-01 00:00:00 UTC", "i,2,2019-10-01 00:00:00UTC", "i,3,2019-10-01T00:00:00 GMT",
        "i,4,2019-10-01 00:00:00.123456 UTC", "i,5,2023-01-05 10:22:11 -0500", "i,6,2023-01-05 10:22:11-05",
        "i,7,2023-01-05T10:22:11 +05:30", "i,8,2019-10-01 00:00:00 Z", "i,9,\"2019-10-01 00:00:00 utc\"",
        "i,10,2019-10-01 00:00:00 CET", "i,11,2019-10-01 00:00:00 +5", "i,12,2019-10-01 UTC"]) + "\n"),
    "times_units": (opts(columns2=2, via_file=1), "\n".join([
        "i,1,1696118400123456", "i,2,\"1696118400123456\"", "i,3,1696118400", "i,4,1696118400123",
        "i,5,1696118400123456789", "i,6,9223372036854775807", "i,7,9223372036854775808", "i,8,-1696118400123456",
        "i,9,\" 1696118400223456 \""]) + "\n"),
    "times_detect": (opts(columns2=2, strict=1), "i,1,5\ni,2,1696118400123456789\ni,3,1696118400123456800\n"),
    "times_range": (opts(columns2=2), "\n".join([
        "i,1,1994-12-31 23:59:59Z", "i,2,1995-01-01", "i,3,2099-12-31T23:59:59Z", "i,4,2100-01-01",
        "i,5,788918399", "i,6,788918400", "i,7,4102444799999", "i,8,4102444800000"]) + "\n"),
    "times_ga4_bom_crlf": (opts(columns=C_LINE, via_gzip=1),
                           "user=user_pseudo_id,item=item_id,time=event_timestamp\n"
                           "\ufeffuser_pseudo_id,item_id,event_timestamp\r\n"
                           "u1,a,1696118400123456\r\nu1,b,\"1696118399000000\"\r\nu2,c,1696118400\r\n"),
    "times_tsv_quoted": (opts(delim=D_TAB), "user\titem\ttime\nu\ta\t\"2023-01-05 10:22:11 -0500\"\n"
                                            "u\tb\t\"1696118400123\"\nu\tc\t\"\"\n"),
    # The time options: --time-unit, --time-zone (offset, IANA name with its DST gap and overlap, a bad one),
    # --time-format (given and from the text), a bad unit. Columns: item=0, user=1, time=2.
    "times_unit_ms": (opts(columns2=2, times=(U_MS, Z_UTC, F_NONE)),
                      "i,1,1696118400123\ni,2,\"1696118400\"\ni,3,2023-10-01T00:00:00Z\ni,4,1.5e3\n"),
    "times_unit_ns": (opts(columns2=2, via_file=1, times=(U_NS, Z_UTC, F_NONE)),
                      "i,1,1696118400123456789\ni,2,1696118400\n"),
    "times_zone_offset": (opts(columns2=2, crlf=1, times=(U_AUTO, Z_OFFSET, F_NONE)),
                          "i,1,2023-01-05 10:22:11\ni,2,2023-01-05 10:22:11Z\ni,3,1696118400\n"),
    "times_zone_berlin": (opts(columns2=2, times=(U_AUTO, Z_BERLIN, F_NONE)),
                          "i,1,2023-03-26 02:30:00\ni,1,2023-10-29 02:30:00\ni,2,2023-07-01T12:00:00\n"
                          "i,2,2023-07-01T12:00:00+02:00\n"),
    "times_zone_bad": (opts(columns2=2, times=(U_AUTO, Z_BAD, F_NONE)), "i,1,2023-01-05 10:22:11\n"),
    "times_unit_bad": (opts(columns2=2, times=(U_BAD, Z_UTC, F_NONE)), "i,1,1696118400\n"),
    "times_format_dmy": (opts(columns2=2, times=(U_AUTO, Z_BERLIN, F_DMY)),
                         "i,1,05/01/2023 10:22\ni,2,5/1/2023 9:05\ni,3,31/02/2023 10:00\ni,4,2023-01-05\n"),
    "times_format_compact": (opts(columns2=2, strict=1, times=(U_AUTO, Z_UTC, F_COMPACT)), "i,1,20230105\n"),
    "times_format_line": (opts(columns2=2, times=(U_AUTO, Z_OFFSET, F_LINE)),
                          "%d %b %Y %I:%M:%S %p %z\ni,1,05 Jan 2023 10:22:11 PM +0100\ni,2,5 january 2023 "
                          "12:00:00 am\ni,3,%j\n"),
    "times_format_bad": (opts(columns2=2, times=(U_AUTO, Z_UTC, F_LINE)), "%H:%M %Q\ni,1,10:22\n"),
    # JSON Lines (issue 13): paths and array indices, alternatives, sessions (given, detected, guessed), ids as
    # numbers, null and wrong types, malformed lines, deep nesting, dropped actions, a .ndjson name.
    "jsonl_paths": (opts(fmt=JSONL, columns=C_LINE),
                    "user=user.id,item=items.0.item_id|sku,action=ev,time=t|ts,category=items.0.cat\n"
                    '{"user":{"id":"u1"},"items":[{"item_id":"a","cat":"c1"},{"item_id":"z"}],"ev":"view","t":"2023-10-01T00:00:00Z"}\n'
                    '{"user":{"id":7},"sku":123,"ev":"cart","ts":1696118460}\n'
                    '{"user":{"id":7.0},"items":[],"sku":"123","ev":"buy","t":1.6961184e9}\n'),
    "jsonl_sessions": (opts(columns=C_LINE, crlf=1),
                       "user=s,item=aid,action=type,time=ts\n"
                       '{"s":1,"events":[{"aid":11,"ts":1661724000100,"type":"clicks"},{"aid":12,"ts":1661724030200}]}\n'
                       '{"s":2,"type":"carts","events":[]}\n{"s":3,"events":[{"aid":13,"ts":"1661724090300","type":"orders"}]}\n'),
    "jsonl_guess": (opts(via_gzip=1),
                    '{"session":0,"user_id":null,"events":[{"aid":1517085,"ts":1659304800025,"type":"clicks"}]}\n'
                    '{"session":1,"events":[{"aid":"1517085","ts":1659304904511,"type":"carts"},{"aid":null}]}\n'),
    "jsonl_malformed": (opts(fmt=JSONL),
                        '{"user_id":1,"item_id":"a"}\n{"user_id":1,"item_id":\n[1,2]\n"str"\n'
                        '{"user_id":1,"item_id":{"x":1}}\n{"user_id":[1],"item_id":2}\n{"user_id":true,"item_id":2}\n'
                        '{"user_id":1,"item_id":1e300}\n{"user_id":1,"item_id":2,"ts":1e999}\n'
                        '{"user_id":1,"item_id":2,"x":' + "[" * 70 + "]" * 70 + '}\n'
                        '{"user_id":"\\ud800","item_id":"\\u00e9"}\n{"user_id":1,"item_id":"a"}trailing\n'),
    "jsonl_drop": (opts(columns=C_LINE, actions=A_LINE, drop=1, preset=P_NONE),
                   "user=user_pseudo_id,item=items.0.item_id,action=event_name,time=event_timestamp\n"
                   "view_item=view,purchase=purchase\n"
                   '{"user_pseudo_id":"g1","event_name":"page_view","event_timestamp":"1696118400000000","items":[]}\n'
                   '{"user_pseudo_id":"g1","event_name":"view_item","event_timestamp":"1696118401000000","items":[{"item_id":"S1"}]}\n'
                   '{"user_pseudo_id":"g1","event_timestamp":"1696118402000000","items":[{"item_id":"S2"}]}\n'),
    "jsonl_otto_preset": (opts(preset=P_OTTO, strict=1),
                          '{"session":5,"events":[{"aid":1,"ts":1661724000,"type":"clicks"},{"aid":2,"ts":1661724060,"type":"orders"}]}\n'),
    "jsonl_name": (opts(name_line=1, via_file=1), "export.NDJSON\nnot json\n{\"user\":\"u\",\"item\":\"a\"}\n"),
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
        base = os.path.basename(name[:-3] if name.endswith(".gz") else name)
        with open(os.path.join(out, "fixture_" + base), "wb") as f:
            f.write(o + text)
    for name, (o, text) in EDGE_CASES.items():
        with open(os.path.join(out, "edge_" + name), "wb") as f:
            f.write(o + text.encode())


if __name__ == "__main__":
    main()
