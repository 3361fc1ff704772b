#!/usr/bin/env python3
"""Add 库点 (kind "site") organisations through the JSON API until there are TOTAL in all.

    seed_orgs.py BASE_URL TOKEN TOTAL

The new sites are spread over the existing units (round robin), so the organisation tree
stays realistic. TOKEN must belong to a user allowed to manage organisations (demo `admin`).
Prints the final total.
"""

import json
import sys
import urllib.request


def call(base, token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.load(res)


def main():
    base, token, total = sys.argv[1].rstrip("/"), sys.argv[2], int(sys.argv[3])
    have = call(base, token, "GET", "/api/v1/orgs?page_size=1")["total"]
    units = [o["id"] for o in call(base, token, "GET", "/api/v1/orgs?kind=unit&page_size=100")["items"]]
    if not units:
        sys.exit("no unit to hang the sites under")
    for i in range(total - have):
        parent = units[i % len(units)]
        call(base, token, "POST", "/api/v1/orgs", {
            "kind": "site",
            "name": f"压测库点{i + 1:04d}",
            "parent_id": parent,
            "address": f"某市某区储备路{i + 1}号",
            "contact_person": "张三",
            "contact_phone": "0591-8700" + f"{i % 10000:04d}",
        })
    print(call(base, token, "GET", "/api/v1/orgs?page_size=1")["total"])


if __name__ == "__main__":
    main()
