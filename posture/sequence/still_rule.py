"""How a still (one-frame) clause's verdict over a video or a live session is made, from the
seconds it passed and failed (the rule and its reasons: ``still_over_time`` in
standards/settings.yaml). The rule is returned in words with the verdict, so a page or a
report shows why a clause that failed for a while passed, or the reverse."""

from __future__ import annotations

from posture.standards import StillOverTime, Text


def still_verdict(severity: str, seconds_pass: float, seconds_fail: float, longest_fail_s: float,
                  rule: StillOverTime) -> tuple[str, Text]:
    """``pass | fail | not_visible`` and the rule that decided it, with its figures."""
    judged = seconds_pass + seconds_fail
    if judged <= 0:
        return "not_visible", Text(zh="没有可判断的画面", en="never judged")
    if severity == "critical":
        failed = longest_fail_s >= rule.critical_hold_s
        return ("fail" if failed else "pass"), Text(
            zh=f"严重条款:连续未通过 {rule.critical_hold_s:g} 秒即不通过(最长 {longest_fail_s:.1f} 秒)",
            en=f"critical: fails once failing {rule.critical_hold_s:g} s at a stretch "
               f"(longest {longest_fail_s:.1f} s)")
    share = seconds_fail / judged
    failed = share >= rule.fail_share and seconds_fail >= rule.min_fail_s
    return ("fail" if failed else "pass"), Text(
        zh=f"未通过时间 ≥ {rule.fail_share:.0%} 且 ≥ {rule.min_fail_s:g} 秒即不通过"
           f"(未通过 {seconds_fail:.1f} 秒,占 {share:.0%})",
        en=f"fails when failing >= {rule.fail_share:.0%} of the judged time and >= {rule.min_fail_s:g} s "
           f"(failing {seconds_fail:.1f} s, {share:.0%})")
