"""`{% load money %}`: the formatting filters of smarketing.lib.formatting in templates."""

from __future__ import annotations

from django import template

from smarketing.lib.formatting import (
    money,
    money_whole,
    month_label,
    named,
    number,
    pair_named,
    percent,
)

register = template.Library()

for _filter in (money, money_whole, number, percent, named, pair_named, month_label):
    register.filter(_filter.__name__, _filter)
