"""Follow-ups in context, who is talking, and plain questions (issue: conversation depth), over REST."""

from support.replies import new_sender, replies_text, response_variants


def variant(name, condition=None):
    """The text of one variant of a response: the one with `condition` {slot: value}, or the default."""
    import yaml

    from support.servers import ROOT

    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    for v in domain["responses"][name]:
        conditions = {c["name"]: str(c["value"]) for c in v.get("condition") or []}
        if conditions == (condition or {}):
            return v["text"]
    raise KeyError((name, condition))


def texts(replies):
    return [r.get("text") or "" for r in replies]


def test_what_if_my_mum_finds_out_is_answered_for_sextortion(servers):
    who = new_sender()
    servers.say(who, "he says hell send my pics to everyone unless i pay him 50 quid", {"country": "GB"})
    replies = servers.say(who, "what if my mum finds out")
    assert variant("utter_ask_parents_find_out", {"scenario": "sextortion"}) in texts(replies)


def test_a_young_adult_gets_adult_routes_and_wording(servers):
    who = new_sender()
    servers.say(who, "someone posted my private pics in a group chat", {"country": "GB"})
    replies = servers.say(who, "im 18, i was already 18 when i sent it")
    assert variant("utter_age_noted_adult") in texts(replies)  # adult wording, not the worried-parent one
    assert "StopNCII" in replies_text(replies) and "NSPCC" not in replies_text(replies)
    replies = servers.say(who, "is there any way to get it off there")
    assert variant("utter_ask_removal", {"age_band": "adult"}) in texts(replies)
    assert "StopNCII" in replies_text(replies) and "Take It Down" not in replies_text(replies)


def test_a_mother_gets_the_parents_answer(servers):
    message = (
        "my son is 13 and a man on roblox has been sending him gifts and asking for photos. im his mum, what do i do"
    )
    replies = servers.say(new_sender(), message, {"country": "US"})
    assert variant("utter_friend_at_risk", {"role": "parent"}) in texts(replies)
    assert "good friend" not in replies_text(replies)


def test_plain_questions_get_plain_answers(servers):
    who = new_sender()
    assert variant("utter_faq_sextortion") in texts(servers.say(who, "what is sextortion? its for a school project"))
    assert variant("utter_faq_private_account") in texts(servers.say(who, "how do i make my insta private"))
    assert response_variants("utter_ask_rephrase")[0] not in texts(servers.say(who, "whats a deepfake"))


def handoff_country_of(replies):
    from support.replies import handoff_country

    return handoff_country(replies)


def test_places_as_people_say_them(servers):
    for message, code in [("i live in swizterland", "CH"), ("im in dublin", "IE"), ("glasgow", "GB")]:
        who = new_sender()
        servers.say(who, "someone on insta keeps asking me for pics")  # no country yet: Ally asks once
        assert handoff_country_of(servers.say(who, message)) == code, message


def test_the_app_they_name_gets_its_block_and_report_steps(servers):
    from actions.platforms import find

    snapchat = find("snapchat")
    replies = servers.say(new_sender(), "how do i report him on snapchat", {"country": "GB"})
    assert snapchat.help_url in replies_text(replies)
