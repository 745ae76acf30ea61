"""The password policy, for every way an account gets a password (CLI users add/passwd, the
账户与审计 page, and whatever stores accounts next):

    problem = passwords.check_password(password, user_inputs=(name, display_name))
    # -> None when acceptable, else one Chinese sentence saying what is wrong

At least MIN_LENGTH characters, and not guessable: zxcvbn (Dropbox's estimator, with its lists of
common passwords, names, words, keyboard patterns, dates and repeats) must score it MIN_SCORE or
more (3 of 4: "safely unguessable" against an offline attack on a slow hash such as argon2),
counting the account's own name and the dashboard's words as known to an attacker.
"""

from __future__ import annotations

from collections.abc import Iterable

MIN_LENGTH = 10
MIN_SCORE = 3
MAX_CHECKED = 100  # zxcvbn's time grows with length; a longer password is judged on its start
# Words an attacker knows about this dashboard: a password made of them is weak here.
SITE_WORDS = ("kechuang", "rudong", "如东", "科创", "驾驶舱", "dashboard", "admin", "demo")

# zxcvbn's warnings (English) in Chinese; an unknown warning gets the generic sentence.
WARNINGS = {
    "This is a top-10 common password.": "这是最常见的十个密码之一",
    "This is a top-100 common password.": "这是最常见的一百个密码之一",
    "This is a very common password.": "这是非常常见的密码",
    "This is similar to a commonly used password.": "与常见密码相近",
    "A word by itself is easy to guess.": "单个单词很容易被猜到",
    "Names and surnames by themselves are easy to guess.": "单独的姓名很容易被猜到",
    "Common names and surnames are easy to guess.": "常见姓名很容易被猜到",
    "Straight rows of keys are easy to guess.": "键盘上连续的按键很容易被猜到",
    "Short keyboard patterns are easy to guess.": "简短的键盘图案很容易被猜到",
    'Repeats like "aaa" are easy to guess.': "“aaa”这样的重复字符很容易被猜到",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': (
        "“abcabcabc”这样的重复并不比“abc”难猜多少"
    ),
    "Sequences like abc or 6543 are easy to guess.": "“abc”“6543”这样的序列很容易被猜到",
    "Recent years are easy to guess.": "近些年的年份很容易被猜到",
    "Dates are often easy to guess.": "日期很容易被猜到",
}
ADVICE = "请换一个更长、更不规则的密码，例如三四个不相关的词加数字或符号"


def check_password(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """None when the password may be used, else what is wrong with it (Chinese, one sentence)."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 个字符（现为 {len(password)} 个）"
    known = [str(w) for w in user_inputs if w] + list(SITE_WORDS)
    if password.strip().lower() in {w.strip().lower() for w in known}:
        return "密码不能与用户名、显示名称或系统名称相同"
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:MAX_CHECKED], user_inputs=known)
    if result["score"] >= MIN_SCORE:
        return None
    warning = WARNINGS.get(result["feedback"].get("warning") or "")
    return f"密码太容易被猜到（{warning}）：{ADVICE}" if warning else f"密码太容易被猜到：{ADVICE}"
