"""Parse PDE strings without evaluating them.

The text is split by Python's ``tokenize`` and every token is checked against a
whitelist: numbers, ``+ - * / ** ( ) = ,``, declared or inferred variables, derivatives
in subscript notation (``u_xt`` is ∂²u/∂x∂t), known functions (:data:`FUNCTIONS`) and
parameters. A small precedence-climbing parser then builds the SymPy tree itself; no
string ever reaches ``eval``, ``sympify`` or ``parse_expr``.

>>> p = parse_pde("u_t + u*u_x + u_xxx", independent="t x", dependent="u")
>>> (t, x), u = p.independent, p.dependent[0]
>>> p.equations[0] == u.diff(t) + u * u.diff(x) + u.diff(x, 3)
True
>>> parse_pde("u_t = u**n*u_xx").parameters
(n,)
"""

from __future__ import annotations

import io
import keyword
import math
import re
import tokenize
from dataclasses import dataclass

import sympy

from ...errors import PDEParseError

__all__ = ["parse_pde", "ParsedPDE", "FUNCTIONS", "MAX_LENGTH", "MAX_EXPONENT", "MAX_ORDER"]

#: Functions a PDE string may call, by name.
FUNCTIONS = {"sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "exp": sympy.exp,
             "log": sympy.log, "sqrt": sympy.sqrt, "tanh": sympy.tanh, "sinh": sympy.sinh,
             "cosh": sympy.cosh, "atan": sympy.atan, "abs": sympy.Abs}

_OPS = {"+", "-", "*", "/", "**", "(", ")", "=", ","}

#: Limits that keep absurd input from running for minutes: the length of a PDE string,
#: the size of a numeric exponent (``u**10**10``) and the order of a derivative.
MAX_LENGTH, MAX_EXPONENT, MAX_ORDER = 4000, 32, 8
_DERIVATIVE = re.compile(r"^([A-Za-z][A-Za-z0-9]*)_([A-Za-z]+)$")
_OUTER = re.compile(r"^_([A-Za-z]+)$")        # ``(u**n*u_x)_x``: derivative of a bracket


@dataclass(frozen=True)
class ParsedPDE:
    """Equations (each ``= 0``), independent symbols, dependent functions, parameters."""

    equations: tuple
    independent: tuple
    dependent: tuple
    parameters: tuple


def _names(value, what) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = tuple(value.replace(",", " ").split()) if isinstance(value, str) else tuple(map(str, value))
    for n in names:
        if not n.isidentifier() or n.startswith("_") or keyword.iskeyword(n) or n in FUNCTIONS:
            raise PDEParseError(f"{what} name {n!r} is not allowed; use plain identifiers "
                                f"other than {', '.join(sorted(FUNCTIONS))}")
    return names


def _check_distinct(independent, dependent, params):
    """Each name declared once, and as one kind only (variable, function or parameter)."""
    kinds = [("independent", independent), ("dependent", dependent), ("parameter", params)]
    seen: dict = {}
    for kind, names in kinds:
        for n in names or ():
            if n in seen:
                how = f"twice as {kind}" if seen[n] == kind else f"as {seen[n]} and as {kind}"
                raise PDEParseError(f"name {n!r} is declared {how}; each variable, function and "
                                    f"parameter needs its own name")
            seen[n] = kind


def _tokens(text: str):
    if text.count("(") != text.count(")"):
        raise PDEParseError(f"unbalanced parentheses in {text!r}: {text.count('(')} '(' and "
                            f"{text.count(')')} ')'")
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        raise PDEParseError(f"cannot read {text!r}: {exc}") from exc
    out = []
    for tok in toks:
        if tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT,
                        tokenize.DEDENT):
            continue
        if tok.type == tokenize.NUMBER:
            if tok.string[-1] in "jJ" or tok.string.lower().startswith(("0x", "0o", "0b")):
                raise PDEParseError(f"number {tok.string!r} in {text!r} is not a real decimal number")
        elif tok.type == tokenize.NAME:
            if keyword.iskeyword(tok.string) or tok.string.startswith("__"):
                raise PDEParseError(f"forbidden token {tok.string!r} in {text!r}")
        elif not (tok.type == tokenize.OP and tok.string in _OPS):
            raise PDEParseError(f"forbidden token {tok.string!r} in {text!r}; allowed operators: "
                                f"{' '.join(sorted(_OPS))}")
        out.append(tok.string)
    return out


def _infer(tokens, independent, dependent, text):
    """Independent and dependent names from the derivative tokens where not given."""
    derivs = [m for t in tokens if (m := _DERIVATIVE.match(t))]
    if dependent is None:
        dependent = tuple(dict.fromkeys(m.group(1) for m in derivs))
        if not dependent:
            raise PDEParseError(f"no derivative like 'u_x' in {text!r}; pass dependent= and "
                                f"independent= explicitly")
    if independent is None:
        letters = dict.fromkeys([ch for m in derivs if m.group(1) in dependent for ch in m.group(2)]
                                + [ch for t in tokens if (o := _OUTER.match(t)) for ch in o.group(1)])
        independent = tuple(sorted(letters, key=lambda c: (c != "t", c)))
    return independent, dependent


class _Parser:
    def __init__(self, tokens, text, symbols, functions, dependent, independent, params_fixed, arbitrary=()):
        self.toks, self.pos, self.text = tokens, 0, text
        self.arbitrary = arbitrary
        self.symbols, self.functions, self.dependent = symbols, functions, dependent
        self.independent, self.params_fixed = independent, params_fixed
        self.parameters: dict = {}

    def peek(self):
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self, expected=None):
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise PDEParseError(f"expected {expected or 'more input'!r} in {self.text!r}, got "
                                f"{tok if tok is not None else 'the end'!r}")
        self.pos += 1
        return tok

    def expr(self):
        value = self.term()
        while self.peek() in ("+", "-"):
            value = value + self.term() if self.take() == "+" else value - self.term()
        return value

    def term(self):
        value = self.factor()
        while self.peek() in ("*", "/"):
            value = value * self.factor() if self.take() == "*" else value / self.factor()
        return value

    def factor(self):
        if self.peek() in ("+", "-"):
            return self.factor() if self.take() == "+" else -self.factor()
        base = self.atom()
        if self.peek() == "**":
            self.take()
            exponent = self.factor()
            _check_power(base, exponent, self.text)
            return base ** exponent
        return base

    def atom(self):
        tok = self.take()
        if tok == "(":
            value = self.expr()
            self.take(")")
            outer = _OUTER.match(self.peek() or "")
            if outer:
                self.take()
                for c in outer.group(1):
                    if c not in self.independent:
                        raise PDEParseError(f"unknown variable {c!r} in derivative {outer.group(0)!r} "
                                            f"of {self.text!r}; independent variables: "
                                            f"{', '.join(self.independent)}")
                    value = value.diff(self.symbols[c])
            return value
        if tok[0].isdigit() or tok[0] == ".":
            return sympy.Rational(tok)
        if not tok.isidentifier():
            raise PDEParseError(f"unexpected {tok!r} in {self.text!r}")
        if self.peek() == "(" and tok in self.arbitrary:
            self.take("(")
            arg = self.expr()
            self.take(")")
            return sympy.Function(tok)(arg)
        if self.peek() == "(":
            if tok not in FUNCTIONS:
                raise PDEParseError(f"unknown function {tok!r} in {self.text!r}; allowed: "
                                    f"{', '.join(sorted(FUNCTIONS))}")
            self.take("(")
            arg = self.expr()
            self.take(")")
            return FUNCTIONS[tok](arg)
        return self.name(tok)

    def name(self, tok):
        if tok in self.symbols:
            return self.symbols[tok]
        if tok in self.functions:
            return self.functions[tok]
        m = _DERIVATIVE.match(tok)
        if m:
            base, subs = m.groups()
            if base not in self.functions:
                raise PDEParseError(f"unknown function {base!r} in {self.text!r}; dependent "
                                    f"variables: {', '.join(self.dependent)}")
            bad = [c for c in subs if c not in self.symbols or c not in self.independent]
            if bad:
                raise PDEParseError(f"unknown variable {bad[0]!r} in derivative {tok!r} of "
                                    f"{self.text!r}; independent variables: {', '.join(self.independent)}")
            return sympy.Derivative(self.functions[base], *[self.symbols[c] for c in subs])
        if tok in FUNCTIONS:
            raise PDEParseError(f"function {tok!r} used without an argument in {self.text!r}")
        if self.params_fixed is not None and tok not in self.params_fixed:
            raise PDEParseError(f"unknown name {tok!r} in {self.text!r}; variables: "
                                f"{', '.join(self.independent + self.dependent)}; parameters: "
                                f"{', '.join(self.params_fixed) or 'none'}")
        self.parameters.setdefault(tok, sympy.Symbol(tok))
        return self.parameters[tok]


def _check_power(base, exponent, text):
    """Refuse ``base ** exponent`` before SymPy computes it when it would be absurdly large."""
    if not exponent.is_number:
        return
    if abs(exponent) > MAX_EXPONENT and not (base.is_number and abs(base) == 1):
        raise PDEParseError(f"exponent {exponent} in {text!r} is too large; numeric exponents "
                            f"must lie in -{MAX_EXPONENT}..{MAX_EXPONENT}")
    if base.is_Rational and base != 0:
        digits = abs(float(exponent)) * abs(math.log10(abs(base.p)) - math.log10(base.q))
        if digits > 1000:
            raise PDEParseError(f"the number {base}**{exponent} in {text!r} has about {digits:.0f} "
                                f"digits; numbers in a PDE are limited to 1000 digits")


def _check_size(equation, text):
    """Powers and derivative orders of a parsed equation within :data:`MAX_EXPONENT` and
    :data:`MAX_ORDER` (nested powers such as ``((u**8)**8)**8`` are combined by SymPy)."""
    for p in equation.atoms(sympy.Pow):
        if p.exp.is_number and abs(p.exp) > MAX_EXPONENT:
            raise PDEParseError(f"power {p} in {text!r} has exponent {p.exp}; numeric exponents "
                                f"must lie in -{MAX_EXPONENT}..{MAX_EXPONENT}")
    for d in equation.atoms(sympy.Derivative):
        if d.derivative_count > MAX_ORDER:
            raise PDEParseError(f"derivative of order {d.derivative_count} in {text!r}; symgen "
                                f"handles orders up to {MAX_ORDER}")


def parse_pde(text, independent=None, dependent=None, params=None, arbitrary=()) -> ParsedPDE:
    """Parse one equation or several separated by ``;`` (a system); ``= 0`` is implied.

    ``independent``/``dependent`` are names (a string like ``"t x"`` or a sequence);
    when omitted they are inferred from the derivatives (``u_t = u_xx`` → t, x and u).
    Names that are none of these become parameters, unless ``params`` lists the allowed
    ones. ``arbitrary`` names unknown functions of one argument the string may call
    (``f`` in ``u_t = u_xx + f(u)``, for a group classification).

    >>> parse_pde("u_t = u_xx + f(u)", arbitrary=("f",)).equations[0].has(sympy.Function("f"))
    True
    """
    if not isinstance(text, str):
        raise PDEParseError(f"expected a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise PDEParseError(f"PDE string of {len(text)} characters; the limit is {MAX_LENGTH}")
    pieces = [p for p in text.split(";") if p.strip()]
    if not pieces:
        raise PDEParseError("empty PDE string")
    independent, dependent = _names(independent, "independent"), _names(dependent, "dependent")
    params_fixed = _names(params, "parameter")
    arbitrary = _names(arbitrary, "function") or ()
    token_lists = [_tokens(p) for p in pieces]
    independent, dependent = _infer([t for ts in token_lists for t in ts], independent, dependent, text)
    _check_distinct(independent, dependent, params_fixed)
    _check_distinct(independent, dependent, arbitrary)
    symbols = {n: sympy.Symbol(n, real=True) for n in independent}
    functions = {n: sympy.Function(n)(*symbols.values()) for n in dependent}
    equations, parameters = [], {}
    for piece, toks in zip(pieces, token_lists):
        parser = _Parser(toks, piece.strip(), symbols, functions, dependent, independent, params_fixed, arbitrary)
        lhs = parser.expr()
        rhs = sympy.Integer(0)
        if parser.peek() == "=":
            parser.take("=")
            rhs = parser.expr()
        if parser.peek() is not None:
            raise PDEParseError(f"unexpected {parser.peek()!r} in {piece.strip()!r}")
        _check_size(lhs - rhs, piece.strip())
        equations.append(sympy.expand(lhs - rhs))
        parameters.update(parser.parameters)
    return ParsedPDE(tuple(equations), tuple(symbols.values()), tuple(functions.values()),
                     tuple(parameters.values()))
