#!/usr/bin/env python3
"""The library's public API, one item a line, from rustdoc's JSON (nightly).

    cargo +nightly rustdoc -p zoom-qos --all-features --target-dir target/docsrs \\
        -- -Z unstable-options --output-format json
    python3 tests/public_api.py target/docsrs/doc/zoom_qos.json > tests/public-api.txt

`.ci/run` runs both and fails when the output differs from the committed
`tests/public-api.txt`, so every change to the surface shows in review: regenerate the
file with the commands above and commit it with the change.

Each line is an item's kind, its path and, for functions and methods, their signature
(parameters and result, types written as in Rust); structs list their public fields and
carry their `#[non_exhaustive]`. Trait implementations are listed by trait name.
"""
import json
import sys


def main():
    doc = json.load(open(sys.argv[1], encoding="utf-8"))
    index = doc["index"]
    lines = set()

    def ty(t):
        if t is None:
            return "()"
        kind, v = next(iter(t.items()))
        if kind == "resolved_path":
            args = v.get("args") or {}
            inner = ""
            if "angle_bracketed" in args:
                parts = []
                for a in args["angle_bracketed"]["args"]:
                    if "type" in a:
                        parts.append(ty(a["type"]))
                    elif "lifetime" in a:
                        parts.append(a["lifetime"])
                    elif "const" in a:
                        parts.append(str(a["const"].get("expr", "_")))
                for c in args["angle_bracketed"].get("constraints", []):
                    binding = c.get("binding", {})
                    if "equality" in binding and "type" in binding["equality"]:
                        parts.append(f'{c["name"]} = {ty(binding["equality"]["type"])}')
                inner = f"<{', '.join(parts)}>" if parts else ""
            elif "parenthesized" in args:
                p = args["parenthesized"]
                inner = f"({', '.join(ty(x) for x in p['inputs'])}) -> {ty(p.get('output'))}"
            return v["path"].split("::")[-1] + inner
        if kind == "primitive":
            return v
        if kind == "generic":
            return v
        if kind == "borrowed_ref":
            life = (v.get("lifetime") or "") + " " if v.get("lifetime") else ""
            return f"&{life}{'mut ' if v['is_mutable'] else ''}{ty(v['type'])}"
        if kind == "tuple":
            return f"({', '.join(ty(x) for x in v)})"
        if kind == "slice":
            return f"[{ty(v)}]"
        if kind == "array":
            return f"[{ty(v['type'])}; {v['len']}]"
        if kind in ("impl_trait", "dyn_trait"):
            bounds = v if kind == "impl_trait" else [{"trait_bound": {"trait": t["trait"]}} for t in v["traits"]]
            names = []
            for b in bounds:
                if "trait_bound" in b:
                    names.append(ty({"resolved_path": b["trait_bound"]["trait"]}))
                elif "outlives" in b:
                    names.append(b["outlives"])
            return ("impl " if kind == "impl_trait" else "dyn ") + " + ".join(names)
        if kind == "qualified_path":
            return f"{ty(v['self_type'])}::{v['name']}"
        if kind == "raw_pointer":
            return f"*{'mut' if v['is_mutable'] else 'const'} {ty(v['type'])}"
        return kind

    def signature(f):
        sig = f["sig"]
        params = ", ".join(f"{name}: {ty(t)}" for name, t in sig["inputs"])
        out = sig.get("output")
        return f"({params})" + (f" -> {ty(out)}" if out else "")

    def attrs(item):
        text = json.dumps(item.get("attrs", []))
        return " #[non_exhaustive]" if "non_exhaustive" in text else ""

    def walk(item_id, path, seen, name=None):
        item = index.get(str(item_id))
        if item is None or item_id in seen:
            return
        seen = seen | {item_id}
        kind, inner = next(iter(item["inner"].items()))
        name = name or item.get("name")
        here = f"{path}::{name}" if name else path
        if kind == "module":
            lines.add(f"mod {here}")
            for child in inner["items"]:
                walk(child, here, seen)
        elif kind == "use":
            target = inner.get("id")
            alias = f"{path}::{inner['name']}"
            if target is not None and str(target) in index:
                walk(target, path, seen) if inner.get("is_glob") else walk_alias(target, alias, seen)
            else:
                lines.add(f"pub use {alias} = {inner['source']}")
        elif kind in ("struct", "enum", "union", "trait"):
            lines.add(f"{kind} {here}{attrs(item)}")
            if kind == "struct":
                fields = inner["kind"].get("plain", {}).get("fields", []) if isinstance(inner["kind"], dict) else []
                for field in fields:
                    f = index.get(str(field))
                    if f and f.get("visibility") == "public":
                        lines.add(f"field {here}.{f['name']}: {ty(f['inner']['struct_field'])}")
                tuple_fields = inner["kind"].get("tuple") if isinstance(inner["kind"], dict) else None
                if tuple_fields:
                    shown = ["pub" if f is not None else "_" for f in tuple_fields]
                    lines.add(f"tuple {here}({', '.join(shown)})")
            if kind == "enum":
                for variant in inner["variants"]:
                    lines.add(f"variant {here}::{index[str(variant)]['name']}")
            if kind == "trait":
                for child in inner["items"]:
                    c = index[str(child)]
                    lines.add(f"trait-item {here}::{c['name']}")
            for impl_id in inner.get("impls", []):
                impl = index[str(impl_id)]["inner"]["impl"]
                if impl.get("is_synthetic") or impl.get("blanket_impl"):
                    continue
                if impl.get("trait"):
                    lines.add(f"impl {ty({'resolved_path': impl['trait']})} for {here}")
                    continue
                for child in impl["items"]:
                    c = index[str(child)]
                    if c.get("visibility") != "public":
                        continue
                    ckind, cinner = next(iter(c["inner"].items()))
                    if ckind == "function":
                        lines.add(f"fn {here}::{c['name']}{signature(cinner)}")
                    elif ckind == "assoc_const":
                        lines.add(f"const {here}::{c['name']}: {ty(cinner['type'])}")
        elif kind == "function":
            lines.add(f"fn {here}{signature(inner)}")
        elif kind == "constant":
            lines.add(f"const {here}: {ty(inner['type'])}")
        elif kind == "static":
            lines.add(f"static {here}: {ty(inner['type'])}")
        elif kind == "type_alias":
            lines.add(f"type {here} = {ty(inner['type'])}")
        elif kind == "macro":
            lines.add(f"macro {here}")

    def walk_alias(target, alias, seen):
        # A re-export is listed where it can be named, with everything it holds.
        parent, name = alias.rsplit("::", 1)
        walk(target, parent, seen, name)

    walk(doc["root"], "", set())
    for line in sorted(lines):
        print(line.replace(" ::", " ").replace("mod ::", "mod "))


if __name__ == "__main__":
    main()
