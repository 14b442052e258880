# ruff: noqa
"""Source of the conflict test set (evals/conflicts): regenerate with `python evals/conflicts/source/gen.py evals/conflicts`."""

DEV = {"ferry", "fire", "mayor", "border", "quake", "deal", "strike", "painting", "flood", "bridge"}
# conflict: (event, question, [(values aliases, letter)...])
CONFLICTS = [
    (
        "ferry",
        "How many people died when the ferry Santa Luzia capsized?",
        [(["31", "thirty-one"], "a"), (["27", "twenty-seven"], "b")],
    ),
    ("ferry", "Where did the Santa Luzia capsize?", [(["Porto Velho"], "a"), (["Cabo Frio"], "b")]),
    (
        "fire",
        "When did the fire at the Brandt Logistics warehouse in Lindenburg start?",
        [(["February 8", "Sunday"], "a"), (["February 7", "Saturday"], "b")],
    ),
    (
        "fire",
        "What caused the fire at the Brandt Logistics warehouse?",
        [(["electrical fault"], "a"), (["arson"], "b")],
    ),
    (
        "mayor",
        "What share of the vote did Maria Okafor win in the Kessel mayoral election?",
        [(["52"], "a"), (["54"], "b")],
    ),
    (
        "mayor",
        "When will Maria Okafor take office as mayor of Kessel?",
        [(["April 1"], "a"), (["April 3"], "b")],
    ),
    (
        "border",
        "Who carried out the attack on the Tarsin border post?",
        [(["Black Banner Front"], "a"), (["Mountain Liberation Army"], "b")],
    ),
    (
        "quake",
        "What was the magnitude of the earthquake near Almora?",
        [(["6.1"], "a"), (["5.8"], "b")],
    ),
    (
        "deal",
        "How much did Solvent Tech pay for Nordlys Software?",
        [(["2.4 billion"], "a"), (["2.1 billion"], "b")],
    ),
    (
        "strike",
        "How many days will the rail strike last?",
        [(["three", "3"], "a"), (["five", "5"], "b")],
    ),
    (
        "painting",
        "What is the value of The Blue Harbour painting stolen from the Dunmore Museum?",
        [(["3 million", "three million"], "a"), (["5 million", "five million"], "b")],
    ),
    (
        "painting",
        "How old is the man arrested over the theft of The Blue Harbour?",
        [(["34"], "a"), (["43"], "b")],
    ),
    (
        "flood",
        "How many people died in the Rivera floods?",
        [(["five", "5"], "a"), (["nine", "9"], "b")],
    ),
    (
        "flood",
        "How many people were evacuated in the Rivera floods?",
        [(["200"], "a"), (["1,500", "1500"], "b")],
    ),
    ("bridge", "When was the Millbrook bridge built?", [(["1968"], "a"), (["1972"], "b")]),
    (
        "summit",
        "Where will the water summit on April 10 take place?",
        [(["Geneva"], "a"), (["Vienna"], "b")],
    ),
    (
        "transfer",
        "What fee did FC Aldenburg pay for Marco Lenz?",
        [(["45 million"], "a"), (["40 million"], "b")],
    ),
    (
        "landing",
        "How many passengers were on the Nordair flight that landed at Tervola?",
        [(["180"], "a"), (["168"], "b")],
    ),
    (
        "protest",
        "How many people protested in Liberty Square against the pension law?",
        [(["12,000", "12000"], "a"), (["40,000", "40000"], "b")],
    ),
    (
        "minister",
        "When did health minister Clara Weiss resign?",
        [(["February 23"], "a"), (["February 24"], "b")],
    ),
    (
        "wildfire",
        "How many hectares has the Sierra Alta wildfire burned?",
        [(["3,200", "3200"], "a"), (["4,500", "4500"], "b")],
    ),
    (
        "wildfire",
        "On what day did the Sierra Alta wildfire start?",
        [(["Monday"], "a"), (["Sunday"], "b")],
    ),
    (
        "hostage",
        "How many days was aid worker Hanna Lind held captive?",
        [(["40", "forty"], "a"), (["38"], "b")],
    ),
    ("hostage", "Where was aid worker Hanna Lind freed?", [(["Garoua"], "a"), (["Mokolo"], "b")]),
    (
        "train",
        "How many people were killed in the train collision near Weiden?",
        [(["three", "3"], "a"), (["four", "4"], "b")],
    ),
    (
        "train",
        "How many people were injured in the Weiden train crash?",
        [(["25"], "a"), (["31"], "b")],
    ),
    (
        "satellite",
        "When was the Polaris Space sea ice satellite launched?",
        [(["March 18"], "a"), (["March 19"], "b")],
    ),
    (
        "satellite",
        "Where was the Polaris Space satellite launched from?",
        [(["Andoya"], "a"), (["Kiruna"], "b")],
    ),
    (
        "robbery",
        "How much money was stolen from the Central Bank branch in Oakridge?",
        [(["800,000", "800000"], "a"), (["1.2 million"], "b")],
    ),
    (
        "robbery",
        "How many suspects were arrested over the Oakridge bank robbery?",
        [(["two", "2"], "a"), (["three", "3"], "b")],
    ),
]
# control: (event, question, aliases, letters that state it)
CONTROLS = [
    ("ferry", "How many people were on board the Santa Luzia?", ["212"], "ab"),
    ("ferry", "Who was the captain of the Santa Luzia?", ["Rui Almeida", "Almeida"], "ab"),
    (
        "fire",
        "How many firefighters were injured in the Lindenburg warehouse fire?",
        ["four", "4"],
        "ab",
    ),
    (
        "fire",
        "Which company owns the warehouse that burned in Lindenburg?",
        ["Brandt Logistics", "Brandt"],
        "ab",
    ),
    ("mayor", "Who won the Kessel mayoral election?", ["Maria Okafor", "Okafor"], "ab"),
    ("mayor", "What was the turnout in the Kessel mayoral election?", ["61"], "ab"),
    (
        "border",
        "How many soldiers were killed in the attack on the Tarsin border post?",
        ["six", "6"],
        "ab",
    ),
    (
        "border",
        "How many soldiers were wounded in the attack on the Tarsin border post?",
        ["two", "2"],
        "a",
    ),
    ("quake", "How many people were injured in the Almora earthquake?", ["forty", "40"], "a"),
    (
        "quake",
        "How many aftershocks did the International Seismic Centre record in the first six hours?",
        ["twelve", "12"],
        "b",
    ),
    ("deal", "Who is the chief executive of Nordlys Software?", ["Ingrid Falk", "Falk"], "ab"),
    ("deal", "Which company is buying Nordlys Software?", ["Solvent Tech", "Solvent"], "ab"),
    ("strike", "When does the rail strike start?", ["March 12"], "ab"),
    ("strike", "Who leads the railway union?", ["Paulo Mendes", "Mendes"], "a"),
    ("painting", "Who painted The Blue Harbour?", ["Elsa Moreau", "Moreau"], "ab"),
    ("painting", "From which museum was The Blue Harbour stolen?", ["Dunmore"], "ab"),
    ("flood", "Which river burst its banks in Rivera?", ["Sella"], "ab"),
    (
        "bridge",
        "How many people were injured when the Millbrook bridge collapsed?",
        ["two", "2"],
        "ab",
    ),
    ("bridge", "When did the Millbrook bridge collapse?", ["March 5"], "ab"),
    ("summit", "When will the water summit take place?", ["April 10"], "ab"),
    ("summit", "How many countries will attend the water summit?", ["twelve", "12"], "ab"),
    ("transfer", "Until when does Marco Lenz's contract with FC Aldenburg run?", ["2030"], "ab"),
    ("transfer", "How many goals did Marco Lenz score last season?", ["22", "twenty-two"], "a"),
    (
        "landing",
        "At which airport did the Nordair flight make an emergency landing?",
        ["Tervola"],
        "ab",
    ),
    ("landing", "Why did the Nordair flight make an emergency landing?", ["engine"], "ab"),
    ("protest", "When did the protest in Liberty Square take place?", ["March 14"], "ab"),
    ("protest", "What were the protesters in Liberty Square opposing?", ["pension"], "ab"),
    (
        "minister",
        "Who was named acting health minister after Clara Weiss resigned?",
        ["Jonas Prell", "Prell"],
        "b",
    ),
    ("minister", "How long had Clara Weiss led the health ministry?", ["four years"], "a"),
    ("library", "When will the new Oakridge library open?", ["May 2"], "a"),
    ("library", "How many books does the new Oakridge library hold?", ["120,000", "120000"], "a"),
    (
        "wildfire",
        "How many villages were evacuated because of the Sierra Alta wildfire?",
        ["six", "6"],
        "ab",
    ),
    (
        "satellite",
        "How long is the Polaris Space satellite mission planned to last?",
        ["seven years"],
        "b",
    ),
    ("robbery", "Which bank branch was robbed in Oakridge?", ["Central Bank"], "ab"),
]

# Written after the test split had been scored once: a second held-out set for later changes.
HOLDOUT = {"spill", "marathon", "hospital", "cyber", "volcano"}
CONFLICTS += [
    (
        "spill",
        "How much acid leaked into the River Ardena?",
        [(["2,000", "2000"], "a"), (["5,000", "5000"], "b")],
    ),
    (
        "spill",
        "On what day did the acid leak into the River Ardena?",
        [(["Tuesday"], "a"), (["Monday"], "b")],
    ),
    (
        "marathon",
        "How many runners took part in the Harbourtown marathon?",
        [(["9,000", "9000"], "a"), (["12,000", "12000"], "b")],
    ),
    (
        "marathon",
        "How much prize money did Grace Mutua win at the Harbourtown marathon?",
        [(["50,000", "50000"], "a"), (["40,000", "40000"], "b")],
    ),
    (
        "hospital",
        "How many beds will the new children's hospital in Marlow have?",
        [(["320"], "a"), (["280"], "b")],
    ),
    (
        "hospital",
        "When will the children's hospital in Marlow open?",
        [(["June 1"], "a"), (["June 15"], "b")],
    ),
    (
        "cyber",
        "Who carried out the cyberattack on Brenford?",
        [(["Dark Lantern"], "a"), (["Grey Wolf"], "b")],
    ),
    (
        "cyber",
        "How much money did the hackers demand from Brenford?",
        [(["2 million"], "a"), (["3 million"], "b")],
    ),
    (
        "volcano",
        "How high did the ash from Mount Keli rise?",
        [(["8 kilometres", "8"], "a"), (["12 kilometres", "12"], "b")],
    ),
    (
        "volcano",
        "What alert level did the observatory set for Mount Keli?",
        [(["4"], "a"), (["3"], "b")],
    ),
]
CONTROLS += [
    (
        "spill",
        "Who is the manager of the Vollmer Chemicals plant?",
        ["Erik Sandvik", "Sandvik"],
        "ab",
    ),
    ("spill", "Along how many kilometres of the River Ardena was fishing banned?", ["15"], "ab"),
    ("marathon", "Who won the Harbourtown marathon?", ["Grace Mutua", "Mutua"], "ab"),
    (
        "marathon",
        "What was Grace Mutua's winning time in the Harbourtown marathon?",
        ["2 hours 21"],
        "a",
    ),
    ("hospital", "How much did the children's hospital in Marlow cost?", ["410 million"], "ab"),
    (
        "hospital",
        "Which firm designed the children's hospital in Marlow?",
        ["Archon Studio", "Archon"],
        "a",
    ),
    ("cyber", "Who is the mayor of Brenford?", ["Alan Roy", "Roy"], "ab"),
    ("cyber", "After how many days were Brenford's services restored?", ["four", "4"], "ab"),
    (
        "volcano",
        "How many people were evacuated because of the Mount Keli eruption?",
        ["3,000", "3000"],
        "ab",
    ),
    ("volcano", "From which village were people evacuated near Mount Keli?", ["Tamu"], "ab"),
]
