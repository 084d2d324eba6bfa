"""The apps and games data (actions/platforms.yml): complete, sourced, and found by the names teenagers use."""

from datetime import date

import pytest

from actions.platforms import PlatformError, find, load, parse
from support.servers import ROOT

PLATFORMS = load()
ISSUE_LIST = [
    "snapchat",
    "instagram",
    "tiktok",
    "discord",
    "roblox",
    "fortnite",
    "minecraft",
    "whatsapp",
    "telegram",
    "xbox",
    "playstation",
    "steam",
    "twitch",
    "reddit",
    "facebook",
    "x",
    "random_video_chat",
]


def test_every_app_of_the_list_is_there_with_a_source():
    assert set(ISSUE_LIST) <= set(PLATFORMS)
    assert all(p.sources and p.help_url.startswith("https://") for p in PLATFORMS.values())


@pytest.mark.parametrize(
    "word,platform",
    [
        ("snap", "snapchat"),
        ("Insta", "instagram"),
        ("ig", "instagram"),
        ("fortnite", "fortnite"),
        ("epic", "fortnite"),
        ("mc", "minecraft"),
        ("xbox live", "xbox"),
        ("psn", "playstation"),
        ("omegle", "random_video_chat"),
        ("snapchacie", "snapchat"),  # "na snapchacie" (pl)
        ("robloxie", "roblox"),
        ("snappen", "snapchat"),  # "på snappen" (sv)
    ],
)
def test_the_names_teenagers_use_find_the_app(word, platform):
    assert find(word).id == platform


def test_an_unknown_word_finds_nothing():
    assert find("homework") is None and find(None) is None


def record(**changes):
    base = {
        "name": "App",
        "names": ["app"],
        "block": "b",
        "report": "r",
        "help_url": "https://a.example/help",
        "sources": ["https://a.example/help"],
        "verified": date(2026, 11, 1),
        "verified_how": "official page",
    }
    return {"platforms": {"app": {**base, **changes}}}


@pytest.mark.parametrize(
    "changes,problem",
    [
        ({"help_url": "http://a.example/help"}, "https"),
        ({"sources": []}, "sources"),
        ({"sources": ["a.example/help"]}, "sources"),
        ({"verified": date(2999, 1, 1)}, "future"),
        ({"verified_how": "a friend said"}, "verified_how"),
    ],
)
def test_validation_refuses_what_it_should(changes, problem):
    with pytest.raises(PlatformError) as error:
        parse(record(**changes), today=date(2026, 12, 1))
    assert problem in str(error.value)


def test_a_name_belongs_to_one_app_only():
    data = record()
    data["platforms"]["other"] = {**data["platforms"]["app"], "name": "Other"}
    with pytest.raises(PlatformError):
        parse(data, today=date(2026, 12, 1))


def test_the_doc_lists_every_app():
    doc = (ROOT / "docs" / "platforms.md").read_text()
    assert all(p.name in doc for p in PLATFORMS.values())
