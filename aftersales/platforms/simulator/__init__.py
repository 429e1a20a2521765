"""The contract simulator of the four platforms' open APIs (see core.py); `simulator_for(platform)`."""

from __future__ import annotations


def simulator_for(platform: str, **kwargs):
    from aftersales.platforms.simulator.douyin import DouyinSimulator
    from aftersales.platforms.simulator.jd import JdSimulator
    from aftersales.platforms.simulator.pdd import PddSimulator
    from aftersales.platforms.simulator.taobao import TaobaoSimulator, TmallSimulator

    table = {"douyin": DouyinSimulator, "taobao": TaobaoSimulator, "tmall": TmallSimulator,
             "jd": JdSimulator, "pdd": PddSimulator}
    return table[platform](**kwargs)
