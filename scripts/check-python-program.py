"""check-python-program <program.py> <wheel>: a static check of a Python program against the jsii-generated
cdk8s_vault_pki module inside <wheel>, for machines where the module's dependencies cannot be installed (no PyPI).

Every name the program imports from cdk8s_vault_pki must exist; every call of one of its classes (a constructor, a
static method, or a method of an object whose class is known from a constructor or a method's return annotation)
must use parameters that exist, with no more positional arguments than the signature has.
Exit status: 0 when everything resolves, 1 otherwise.
"""
import ast
import sys
import zipfile

MODULE = "cdk8s_vault_pki"


def signatures(source):
    """{class: {method: (positional parameter names, keyword parameter names, return annotation)}}, and bases."""
    classes, bases = {}, {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef):
            continue
        methods = {}
        for item in node.body:
            if isinstance(item, ast.FunctionDef):
                args = item.args
                positional = [a.arg for a in args.posonlyargs + args.args if a.arg not in ("self", "cls")]
                keywords = positional + [a.arg for a in args.kwonlyargs]
                returns = item.returns.value if isinstance(item.returns, ast.Constant) else None
                methods[item.name] = (positional, keywords, returns)
        classes[node.name] = methods
        bases[node.name] = [b.id for b in node.bases if isinstance(b, ast.Name)]
    return classes, bases


def find(classes, bases, cls, name):
    """The signature of `name` on `cls` or one of its bases in the module."""
    seen = []
    while cls and cls not in seen:
        seen.append(cls)
        if name in classes.get(cls, {}):
            return classes[cls][name]
        cls = next((b for b in bases.get(cls, []) if b in classes), None)
    return None


def main(program_path, wheel_path):
    with zipfile.ZipFile(wheel_path) as wheel:
        source = wheel.read(f"{MODULE}/__init__.py").decode("utf-8")
    classes, bases = signatures(source)
    program = ast.parse(open(program_path, encoding="utf-8").read(), program_path)
    problems, checked = [], 0
    imported = {}
    for node in ast.walk(program):
        if isinstance(node, ast.ImportFrom) and node.module == MODULE:
            for alias in node.names:
                if alias.name not in classes:
                    problems.append(f"line {node.lineno}: {MODULE} has no {alias.name}")
                imported[alias.asname or alias.name] = alias.name

    types = {}  # variable -> class in the module

    def check_call(call, cls, method, label):
        nonlocal checked
        signature = find(classes, bases, cls, method)
        if signature is None:
            problems.append(f"line {call.lineno}: {label}: {cls} has no {method}")
            return None
        positional, keywords, returns = signature
        if len(call.args) > len(positional):
            problems.append(f"line {call.lineno}: {label}: {len(call.args)} positional arguments, the signature takes {len(positional)}")
        for keyword in call.keywords:
            if keyword.arg is not None and keyword.arg not in keywords:
                problems.append(f"line {call.lineno}: {label}: no parameter '{keyword.arg}' (has: {', '.join(keywords)})")
        checked += 1
        return returns

    def class_of(call):
        """Checks `call` when it calls the module; returns the class of its result when known."""
        func = call.func
        if isinstance(func, ast.Name) and func.id in imported:
            cls = imported[func.id]
            check_call(call, cls, "__init__", cls)
            return cls
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner = imported.get(func.value.id) or types.get(func.value.id)
            if owner:
                return check_call(call, owner, func.attr, f"{owner}.{func.attr}")
        return None

    for statement in program.body:
        value = statement.value if isinstance(statement, (ast.Assign, ast.Expr)) else None
        for call in [n for n in ast.walk(statement) if isinstance(n, ast.Call)]:
            result = class_of(call)
            if isinstance(statement, ast.Assign) and call is value and result:
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        types[target.id] = result
    for problem in problems:
        print(f"!! {program_path} {problem}")
    print(f"== {program_path}: {len(imported)} name(s) imported from {MODULE}, {checked} call(s) checked against the generated module: "
          f"{len(problems)} problem(s)")
    return 0 if not problems else 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
