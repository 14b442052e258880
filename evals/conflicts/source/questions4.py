# ruff: noqa
"""Fourth round of the conflict test set: eight new fictional events (articles4.json).

Written before reading the detector's rules in detail. Whole events go to a split by a rule
fixed before any article was written: the events in the order they were written, alternating
dev4, test4, dev4, ...
"""

EVENTS = [
    "stampede",
    "byelection",
    "scaffold",
    "poisoning",
    "helicopter",
    "merger",
    "hailstorm",
    "lottery",
]
DEV4 = set(EVENTS[0::2])
TEST4 = set(EVENTS[1::2])
# conflict: (event, question, [(values aliases, letter)...])
CONFLICTS = [
    (
        "stampede",
        "How many people died in the crush at the Velmar Park concert?",
        [(["eight"], "a"), (["eleven"], "b")],
    ),
    (
        "stampede",
        "What time did the crush at the Lanterns concert begin?",
        [(["10 p.m."], "a"), (["9:40"], "b")],
    ),
    (
        "stampede",
        "What caused the Drossburg concert crush?",
        [(["locked exit gate", "exit gate", "locked gate"], "a"), (["barrier"], "b")],
    ),
    (
        "stampede",
        "How many people were at the Lanterns concert in Velmar Park?",
        [(["30,000"], "a"), (["25,000"], "b")],
    ),
    (
        "byelection",
        "By how many votes did Nadia Farrow win the Kellbridge West by-election?",
        [(["340"], "a"), (["112"], "b")],
    ),
    (
        "byelection",
        "What was the turnout in the Kellbridge West by-election?",
        [(["41 per cent"], "a"), (["38 per cent"], "b")],
    ),
    (
        "byelection",
        "What time was the Kellbridge West result announced?",
        [(["3 a.m."], "a"), (["5.30"], "b")],
    ),
    (
        "byelection",
        "When did Douglas Ferrier resign his Kellbridge West seat?",
        [(["January"], "a"), (["February"], "b")],
    ),
    (
        "scaffold",
        "How many people were injured when the scaffolding fell on Marrow Street?",
        [(["nine"], "a"), (["seven"], "b")],
    ),
    (
        "scaffold",
        "What caused the scaffolding collapse in Tarnholm?",
        [(["wind", "gusts"], "a"), (["anchors", "not been tied"], "b")],
    ),
    (
        "scaffold",
        "How many storeys does the building on Marrow Street have?",
        [(["six"], "a"), (["eight"], "b")],
    ),
    (
        "scaffold",
        "What time did the scaffolding come down on Marrow Street?",
        [(["8.15"], "a"), (["9 a.m."], "b")],
    ),
    (
        "poisoning",
        "What made the pupils at Elmsford Primary School ill?",
        [(["chicken curry", "curry"], "a"), (["rice"], "b")],
    ),
    (
        "poisoning",
        "How many schools does Greenleaf Kitchens supply?",
        [(["19", "nineteen"], "a"), (["22", "twenty-two"], "b")],
    ),
    (
        "poisoning",
        "How many Elmsford pupils were taken to hospital?",
        [(["twelve", "12"], "a"), (["nine", "9"], "b")],
    ),
    (
        "poisoning",
        "Where were the samples from the Elmsford school lunch tested?",
        [(["Harlow"], "a"), (["Castlebury"], "b")],
    ),
    (
        "helicopter",
        "How many people were killed in the Mount Ardenne helicopter crash?",
        [(["three"], "a"), (["four"], "b")],
    ),
    (
        "helicopter",
        "How many passengers survived the helicopter crash on Mount Ardenne?",
        [(["three"], "a"), (["two"], "b")],
    ),
    (
        "helicopter",
        "Where did the Skyward Tours helicopter take off from before it crashed?",
        [(["Lessing"], "a"), (["Brenner Field"], "b")],
    ),
    (
        "helicopter",
        "What caused the helicopter crash on Mount Ardenne?",
        [(["mechanical failure"], "a"), (["pilot error"], "b")],
    ),
    (
        "helicopter",
        "How long was the Skyward Tours sightseeing flight meant to last?",
        [
            (["40-minute", "40 minutes", "forty minutes"], "a"),
            (["half an hour", "30 minutes"], "b"),
        ],
    ),
    (
        "merger",
        "How much is the Orrin Foods deal for Meadowvale worth?",
        [(["2.1 billion"], "a"), (["1.8 billion"], "b")],
    ),
    (
        "merger",
        "Who will run the group formed by Orrin Foods and Meadowvale?",
        [(["Clara Mendel", "Mendel"], "a"), (["Jonas Piet", "Piet"], "b")],
    ),
    (
        "merger",
        "Where will the merged Orrin and Meadowvale company have its head office?",
        [(["Aarburg"], "a"), (["Rotterhaven"], "b")],
    ),
    (
        "merger",
        "How much per share is Orrin Foods paying for Meadowvale?",
        [(["18 euros"], "a"), (["16 euros"], "b")],
    ),
    (
        "merger",
        "When is the Orrin Foods takeover of Meadowvale expected to be completed?",
        [(["third quarter"], "a"), (["end of the year"], "b")],
    ),
    (
        "hailstorm",
        "How many hectares of vineyards did the Valcourt hailstorm damage?",
        [(["1,200"], "a"), (["3,000", "2,500"], "b")],
    ),
    (
        "hailstorm",
        "How big were the hailstones that fell on the Valcourt valley?",
        [(["five centimetres"], "a"), (["eight centimetres"], "b")],
    ),
    (
        "hailstorm",
        "How long did the hail fall in the Valcourt valley?",
        [(["twenty minutes"], "a"), (["quarter of an hour"], "b")],
    ),
    (
        "hailstorm",
        "How many people were injured by the Valcourt hailstorm?",
        [(["two"], "a"), (["nobody", "no one"], "b")],
    ),
    (
        "lottery",
        "How many people are in the Marlby syndicate that won the EuroStar jackpot?",
        [(["eight"], "a"), (["seven"], "b")],
    ),
    (
        "lottery",
        "Where was the winning EuroStar ticket bought?",
        [(["Kings Road", "petrol station"], "a"), (["Harbour Lane", "newsagent"], "b")],
    ),
    (
        "lottery",
        "On which day was the EuroStar draw won by the Marlby syndicate held?",
        [(["Wednesday"], "a"), (["Tuesday"], "b")],
    ),
    (
        "lottery",
        "Who sold the winning EuroStar ticket in Marlby?",
        [(["Liam Doherty", "Doherty"], "a"), (["Priya Nair", "Nair"], "b")],
    ),
]
# control: (event, question, aliases, letters that state it)
CONTROLS = [
    ("stampede", "Who organised the Lanterns concert in Drossburg?", ["Halvard Live"], "ab"),
    (
        "stampede",
        "Who declared three days of mourning after the Velmar Park crush?",
        ["Ilse Brandauer", "Brandauer"],
        "ab",
    ),
    (
        "stampede",
        "Which minister promised an independent inquiry into the Drossburg crush?",
        ["Rosa Kettler", "Kettler"],
        "b",
    ),
    (
        "stampede",
        "How many of the injured from the Velmar Park concert remain in intensive care?",
        ["six"],
        "b",
    ),
    (
        "stampede",
        "Which hospital treated the people hurt in the Velmar Park crush?",
        ["St Hedwig"],
        "ab",
    ),
    ("byelection", "Who won the Kellbridge West by-election?", ["Nadia Farrow", "Farrow"], "ab"),
    (
        "byelection",
        "Who was the Liberal Union candidate in Kellbridge West?",
        ["Peter Osgood", "Osgood"],
        "ab",
    ),
    (
        "byelection",
        "Where was the Kellbridge West by-election count held?",
        ["Corn Exchange"],
        "ab",
    ),
    (
        "byelection",
        "Who was the returning officer in the Kellbridge West by-election?",
        ["Margaret Linn", "Linn"],
        "a",
    ),
    ("byelection", "How old is Nadia Farrow, the new member for Kellbridge West?", ["38"], "a"),
    (
        "scaffold",
        "Which contractor was working on the building on Marrow Street?",
        ["Brisk Build"],
        "ab",
    ),
    (
        "scaffold",
        "Who owns the building on Marrow Street where the scaffolding fell?",
        ["Calder Estates"],
        "b",
    ),
    (
        "scaffold",
        "Which agency is investigating the Tarnholm scaffolding collapse?",
        ["Health and Safety Directorate"],
        "ab",
    ),
    (
        "scaffold",
        "How many construction workers were among those hurt on Marrow Street?",
        ["three"],
        "b",
    ),
    ("scaffold", "On which day did the scaffolding collapse in Tarnholm?", ["Monday"], "ab"),
    (
        "poisoning",
        "How many people fell ill after the Elmsford Primary School lunch?",
        ["41", "forty-one"],
        "b",
    ),
    (
        "poisoning",
        "Who is the head teacher of Elmsford Primary School?",
        ["Joan Whitcombe", "Whitcombe"],
        "ab",
    ),
    (
        "poisoning",
        "Which company supplies the meals at Elmsford Primary School?",
        ["Greenleaf Kitchens"],
        "ab",
    ),
    (
        "poisoning",
        "Who is the county public health director looking into the Elmsford illness?",
        ["Samuel Achebe", "Achebe"],
        "b",
    ),
    (
        "poisoning",
        "On which day did the Elmsford pupils eat the lunch that made them ill?",
        ["Wednesday"],
        "ab",
    ),
    (
        "helicopter",
        "Which company operated the helicopter that crashed on Mount Ardenne?",
        ["Skyward Tours"],
        "ab",
    ),
    (
        "helicopter",
        "Who was flying the helicopter that crashed on Mount Ardenne?",
        ["Henrik Soll", "Soll"],
        "ab",
    ),
    ("helicopter", "How old was Henrik Soll, the pilot of the Ardenne helicopter?", ["52"], "a"),
    (
        "helicopter",
        "Who is the Transport Safety Board's chief investigator on the Ardenne crash?",
        ["Lena Vogt", "Vogt"],
        "b",
    ),
    ("helicopter", "On which day did the helicopter crash on Mount Ardenne?", ["Wednesday"], "ab"),
    ("merger", "Which company is buying Meadowvale?", ["Orrin Foods", "Orrin"], "ab"),
    ("merger", "How much of Meadowvale does Jonas Piet own?", ["14 per cent"], "a"),
    (
        "merger",
        "By how much did Meadowvale shares rise after the Orrin deal was announced?",
        ["22 per cent"],
        "b",
    ),
    ("merger", "How many people does Meadowvale employ in Rotterhaven?", ["3,000"], "b"),
    ("merger", "Who is the chief executive of Orrin Foods?", ["Clara Mendel", "Mendel"], "ab"),
    (
        "hailstorm",
        "How much damage did the Valcourt hailstorm cause, according to Agathe Roussel?",
        ["25 million"],
        "c",
    ),
    (
        "hailstorm",
        "Who asked for the Valcourt valley to be declared a natural disaster?",
        ["Bernard Lacoste", "Lacoste"],
        "ab",
    ),
    (
        "hailstorm",
        "Who leads the Valcourt winegrowers' union?",
        ["Agathe Roussel", "Roussel"],
        "abc",
    ),
    ("hailstorm", "On which day did the hailstorm hit the Valcourt valley?", ["Saturday"], "abc"),
    (
        "hailstorm",
        "In which village did a school roof cave in during the Valcourt hailstorm?",
        ["Moncel"],
        "b",
    ),
    ("lottery", "How big was the EuroStar jackpot won in Marlby?", ["74 million"], "ab"),
    ("lottery", "Who is the spokesman for Lotto Nord?", ["Ewan Tait", "Tait"], "ab"),
    (
        "lottery",
        "How much will each member of the Marlby syndicate receive?",
        ["9.25 million"],
        "a",
    ),
    (
        "lottery",
        "What was the previous national lottery record before the Marlby win?",
        ["61 million"],
        "b",
    ),
    ("lottery", "Where do the Marlby lottery winners work?", ["parcel depot"], "ab"),
]
