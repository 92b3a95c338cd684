"""Shared names of the directory's page tests: the demo world's records and small helpers.

Personas from the demo world: 善元 (Liuzhou 450204, user ent_shanyuan), 悦瑟 (Haimen 320614, ent_yuese),
汉烯 (Wuhan 420102, ent_hanxi); regulators reg_lz (Liuzhou), reg_gx (Guangxi); the Liuzhou station
(station_lz) whose area is all of Liuzhou; the Liuzhou food lab (lab_lz).
"""

from django.urls import reverse

from nqihub.directory.models import Enterprise, Expert, Institution, Station
from nqihub.directory.uscc import demo_uscc

SHANYUAN = "善元食品有限公司"
YUESE = "南通悦瑟家居用品有限公司"
HANXI = "武汉汉烯科技有限公司"
LAB_LZ = "柳州市食品检验检测实验室（示例）"
LAB_NT = "南通纺织品检测实验室（示例）"
STATION_LZ = "广西柳州螺蛳粉质量检测服务站"
STATION_WH = "武汉江岸岱家山科创城质量服务站"


def enterprise(name):
    return Enterprise.objects.get(name=name)


def institution(name):
    return Institution.objects.get(name=name)


def station(name):
    return Station.objects.get(name=name)


def expert(name):
    return Expert.objects.get(name=name)


def url(name, *args):
    return reverse(f"directory:{name}", args=args)


def text(response):
    return response.content.decode()


def valid_uscc(serial=7, region="450205"):
    return demo_uscc(region, serial)


def wrong_check_character(code):
    return code[:17] + ("0" if code[17] != "0" else "1")
