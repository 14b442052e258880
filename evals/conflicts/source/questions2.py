# ruff: noqa
"""Second round of the conflict test set: twelve new fictional events (articles2.json).

Whole events go to a split by a rule fixed before any question was written: the events in the
order they were written, alternating dev2, test2, dev2, ...
"""

EVENTS = [
    "mine",
    "storm",
    "recount",
    "dam",
    "heist",
    "bank",
    "pass",
    "tower",
    "cave",
    "outbreak",
    "fireworks",
    "final",
]
DEV2 = set(EVENTS[0::2])
TEST2 = set(EVENTS[1::2])
# conflict: (event, question, [(values aliases, letter)...])
CONFLICTS = [
    (
        "mine",
        "How many miners died in the Korvath mine collapse?",
        [(["9", "nine"], "a"), (["14", "fourteen"], "b")],
    ),
    (
        "mine",
        "How deep were the miners working when the Korvath mine collapsed?",
        [(["400"], "a"), (["320"], "b")],
    ),
    (
        "mine",
        "What caused the collapse at the Korvath copper mine?",
        [(["tremor"], "a"), (["methane", "gas explosion"], "b")],
    ),
    (
        "storm",
        "What category was Cyclone Irena when it made landfall?",
        [(["Category 4", "category four"], "a"), (["Category 3", "category three"], "b")],
    ),
    (
        "storm",
        "How strong were Cyclone Irena's winds when it hit the coast?",
        [(["210"], "a"), (["185"], "b")],
    ),
    (
        "storm",
        "Where did Cyclone Irena make landfall?",
        [(["Port Anselm"], "a"), (["Marisca"], "b")],
    ),
    (
        "recount",
        "Who won the Velmora mayoral election?",
        [(["Haverkamp"], "a"), (["Wren"], "b")],
    ),
    (
        "recount",
        "By how many votes was the Velmora mayoral election won?",
        [(["212"], "a"), (["thirty-eight", "38"], "b")],
    ),
    (
        "dam",
        "What time did the Mirrowdale dam give way?",
        [(["3 a.m.", "3 am", "3:00"], "a"), (["5.30", "5:30"], "b")],
    ),
    (
        "dam",
        "What caused the breach of the Mirrowdale dam?",
        [(["rain"], "a"), (["sluice"], "b")],
    ),
    (
        "dam",
        "What flood warning level was issued for the Tolle valley?",
        [(["level 5", "level five"], "a"), (["level four", "level 4"], "b")],
    ),
    (
        "heist",
        "How much were the jewels stolen from Casa Verrano worth?",
        [(["four and a half million", "4.5 million"], "a"), (["6 million", "six million"], "b")],
    ),
    (
        "heist",
        "Who was arrested over the Casa Verrano jewellery raid?",
        [(["Owen Tarrant", "Tarrant"], "a"), (["Felix Marr", "Marr"], "b")],
    ),
    (
        "heist",
        "On which night did thieves raid Casa Verrano in Lissard?",
        [(["Thursday"], "a"), (["Wednesday"], "b")],
    ),
    (
        "bank",
        "How much was Halvern Bank fined?",
        [(["eighteen million", "18 million"], "a"), (["80 million", "eighty million"], "b")],
    ),
    (
        "bank",
        "By what percentage did Halvern Bank shares fall after the fine?",
        [
            (["7 percent", "7%", "seven percent"], "a"),
            (["11 percent", "11%", "eleven percent"], "b"),
        ],
    ),
    (
        "bank",
        "Which Halvern Bank executive resigned after the fine?",
        [(["Nadia Rusk", "Rusk"], "a"), (["Pieter Vahl", "Vahl"], "b")],
    ),
    (
        "bank",
        "Which regulator fined Halvern Bank?",
        [(["Financial Conduct Board"], "a"), (["National Banking Authority"], "b")],
    ),
    (
        "pass",
        "Who fired first in the clash at the Kessa Pass?",
        [(["Talendia"], "a"), (["Marovia"], "b")],
    ),
    (
        "pass",
        "Where did the fighting at the Kessa Pass take place?",
        [(["Drosk"], "a"), (["Uvrin"], "b")],
    ),
    (
        "pass",
        "How long did the exchange of fire at the Kessa Pass last?",
        [(["two hours", "2 hours"], "a"), (["forty minutes", "40 minutes"], "b")],
    ),
    (
        "tower",
        "How tall is the Aurelia Tower in Brightwater?",
        [(["412"], "a"), (["398"], "b")],
    ),
    (
        "tower",
        "When will the Aurelia Tower open?",
        [(["July 4"], "a"), (["July 11"], "b")],
    ),
    (
        "tower",
        "How much did the Aurelia Tower cost to build?",
        [(["1.3 billion"], "a"), (["1.6 billion"], "b")],
    ),
    (
        "cave",
        "How many days were the scouts trapped in Morrow Cave?",
        [(["nine days", "9 days"], "a"), (["eleven days", "11 days"], "b")],
    ),
    (
        "cave",
        "How far inside Morrow Cave were the scouts trapped?",
        [(["2.5"], "a"), (["four kilometres", "4 kilometres", "4 km"], "b")],
    ),
    (
        "cave",
        "Which hospital were the scouts rescued from Morrow Cave taken to?",
        [(["Hollins"], "a"), (["St Brigid"], "b")],
    ),
    (
        "outbreak",
        "How many people were taken to hospital after the Pellham summer fair?",
        [(["forty-six", "46"], "a"), (["61", "sixty-one"], "b"), (["73", "seventy-three"], "c")],
    ),
    (
        "outbreak",
        "What caused the food poisoning outbreak at the Pellham fair?",
        [(["chicken", "salmonella"], "a"), (["water"], "c")],
    ),
    (
        "fireworks",
        "What was the death toll in the Corvanne fireworks factory explosion?",
        [(["twelve", "12"], "a"), (["fifteen", "15"], "b")],
    ),
    (
        "fireworks",
        "At what time did the explosion at the Corvanne fireworks factory happen?",
        [(["10:40"], "a"), (["11:15"], "b")],
    ),
    (
        "fireworks",
        "Which company owns the fireworks factory that exploded in Corvanne?",
        [(["Sunburst"], "a"), (["Novaflare"], "b")],
    ),
    (
        "final",
        "Who scored the winning goal in the Vardon Cup final?",
        [(["Castell"], "a"), (["Marsh"], "b")],
    ),
    (
        "final",
        "How many people watched the Vardon Cup final in the stadium?",
        [(["58,000", "58000"], "a"), (["61,500", "61500"], "b")],
    ),
]
# control: (event, question, aliases, letters that state it)
CONTROLS = [
    (
        "mine",
        "How many miners were rescued alive from the Korvath mine?",
        ["23", "twenty-three"],
        "ab",
    ),
    ("mine", "Which company runs the Korvath copper mine?", ["Veldt"], "ab"),
    ("mine", "What magnitude was the tremor at the Korvath mine?", ["3.9"], "a"),
    ("storm", "How many people were evacuated ahead of Cyclone Irena?", ["60,000", "60000"], "ab"),
    ("storm", "How many homes lost power when Cyclone Irena hit?", ["200,000", "200000"], "a"),
    ("recount", "What was the turnout in the Velmora mayoral election?", ["47"], "ab"),
    ("recount", "Which party does Tomasz Wren belong to?", ["Farmers"], "ab"),
    (
        "dam",
        "How many people were evacuated when the Mirrowdale dam failed?",
        ["1,800", "1800"],
        "ab",
    ),
    ("dam", "How many villages were flooded after the Mirrowdale dam breach?", ["four", "4"], "ab"),
    ("dam", "Who manages the Mirrowdale dam?", ["Tolle Water Authority"], "a"),
    ("heist", "How many men took part in the Casa Verrano raid?", ["three", "3"], "ab"),
    (
        "heist",
        "Who spoke for the police about the Casa Verrano raid?",
        ["Carla Nuti", "Nuti"],
        "ab",
    ),
    ("heist", "How did the thieves escape from Casa Verrano?", ["scooter"], "a"),
    ("bank", "Who is the chief executive of Halvern Bank?", ["Lars Odegaard", "Odegaard"], "ab"),
    ("bank", "How many customers does Halvern Bank have?", ["1.4 million"], "b"),
    (
        "pass",
        "Which organisation called for restraint after the Kessa Pass clash?",
        ["Council of Border States"],
        "ab",
    ),
    ("pass", "On what day did the clash at the Kessa Pass happen?", ["Sunday"], "ab"),
    ("tower", "How many floors does the Aurelia Tower have?", ["96", "ninety-six"], "ab"),
    ("tower", "Who designed the Aurelia Tower?", ["Sunniva Hald", "Hald"], "ab"),
    (
        "tower",
        "On which floor is the Aurelia Tower's observation deck?",
        ["90th", "ninetieth"],
        "b",
    ),
    ("cave", "How many scouts were trapped in Morrow Cave?", ["eight", "8"], "ab"),
    (
        "cave",
        "Who led the divers who rescued the scouts from Morrow Cave?",
        ["Ruth Calloway", "Calloway"],
        "ab",
    ),
    ("cave", "How long did the Morrow Cave rescue take?", ["fourteen hours", "14 hours"], "b"),
    (
        "outbreak",
        "Which office is investigating the Pellham fair outbreak?",
        ["Food Safety Office"],
        "abc",
    ),
    (
        "outbreak",
        "How many visitors did the Pellham summer fair draw this year?",
        ["20,000", "20000"],
        "a",
    ),
    (
        "fireworks",
        "How many people were injured in the Corvanne fireworks factory explosion?",
        ["27", "twenty-seven"],
        "ab",
    ),
    (
        "fireworks",
        "In which industrial zone was the fireworks factory that exploded in Corvanne?",
        ["Eastfield"],
        "ab",
    ),
    ("final", "Who won the Vardon Cup final?", ["Harcastle Rovers", "Harcastle"], "ab"),
    ("final", "What was the score of the Vardon Cup final?", ["2-1"], "ab"),
    ("final", "Who coaches Harcastle Rovers?", ["Mira Solberg", "Solberg"], "b"),
]
