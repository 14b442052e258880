# ruff: noqa
"""Third round of the conflict test set: fourteen new fictional events (articles3.json).

Whole events go to a split by a rule fixed before any article was written: the events in the
order they were written, alternating dev3, test3, dev3, ...
"""

EVENTS = [
    "avalanche",
    "blackout",
    "regatta",
    "refinery",
    "ceo",
    "seizure",
    "sinkhole",
    "derby",
    "jailbreak",
    "tunnel",
    "convoy",
    "whales",
    "budget",
    "airport",
]
DEV3 = set(EVENTS[0::2])
TEST3 = set(EVENTS[1::2])
# conflict: (event, question, [(values aliases, letter)...])
CONFLICTS = [
    (
        "avalanche",
        "How many people were killed in the avalanche above Varnes?",
        [(["four"], "a"), (["six"], "b")],
    ),
    (
        "avalanche",
        "how deep were the avalanche victims buried near Kjelmo Peak",
        [(["three metres"], "a"), (["five metres"], "b")],
    ),
    (
        "blackout",
        "How long did the Orvenna blackout last?",
        [(["nine hours"], "a"), (["fourteen hours"], "b")],
    ),
    (
        "blackout",
        "What caused the power cut in Orvenna?",
        [(["fire"], "a"), (["cyberattack"], "b")],
    ),
    (
        "regatta",
        "Who won the Calder Bay Regatta?",
        [(["Elin Marsk", "Marsk"], "a"), (["Matteo Vidal", "Vidal"], "b")],
    ),
    (
        "regatta",
        "On which day did the Calder Bay Regatta start?",
        [(["Friday"], "a"), (["Thursday"], "b")],
    ),
    (
        "refinery",
        "What time did the explosion at the Saltmere refinery happen?",
        [(["3:40"], "a"), (["4:15"], "b")],
    ),
    (
        "refinery",
        "According to reports, how many people were injured in the Saltmere refinery blast?",
        [(["17"], "a"), (["23"], "b")],
    ),
    (
        "refinery",
        "By how much did Castor Energy shares fall after the refinery explosion?",
        [(["4 percent"], "a"), (["6 percent"], "b")],
    ),
    (
        "ceo",
        "Who was appointed to lead Brenholt Motors after Viktor Arnesen resigned?",
        [(["Leila Haddou", "Haddou"], "a"), (["Daniel Kiefer", "Kiefer"], "b")],
    ),
    (
        "ceo",
        "How far did Brenholt shares drop when Arnesen quit?",
        [(["8 percent"], "a"), (["11 percent"], "b")],
    ),
    (
        "seizure",
        "What was the cocaine seized at Quellmouth worth?",
        [(["90 million"], "a"), (["120 million"], "b")],
    ),
    (
        "seizure",
        "On what day was the cocaine found in the frozen fish container at Quellmouth?",
        [(["Sunday"], "a"), (["Saturday"], "b")],
    ),
    (
        "sinkhole",
        "How deep is the Brackwell sinkhole?",
        [(["18 metres", "18"], "a"), (["25 metres", "25"], "b")],
    ),
    (
        "sinkhole",
        "What caused the sinkhole in Wickham Lane?",
        [(["drain"], "a"), (["mine shaft"], "b")],
    ),
    (
        "sinkhole",
        "When did the sinkhole open in Brackwell?",
        [(["Monday"], "a"), (["Tuesday"], "b")],
    ),
    (
        "derby",
        "Who scored the winning goal in the Ostrel derby?",
        [(["Karim Dossou", "Dossou"], "a"), (["Paolo Renzi", "Renzi"], "b")],
    ),
    (
        "derby",
        "In which minute was the Ostrel derby winner scored?",
        [(["87th", "87"], "a"), (["89th", "89"], "b")],
    ),
    (
        "jailbreak",
        "How many inmates escaped from Grenmoor prison?",
        [(["five"], "a"), (["four"], "b")],
    ),
    (
        "jailbreak",
        "Where were three of the Grenmoor escapees recaptured?",
        [(["Oskby"], "b"), (["Lessing"], "c")],
    ),
    ("jailbreak", "How old is Dmitri Kalnin?", [(["33"], "b"), (["35"], "c")]),
    (
        "tunnel",
        "how long is the varda tunnel",
        [(["11.4 kilometres", "11.4"], "a"), (["12.1 km", "12.1"], "b")],
    ),
    (
        "tunnel",
        "What was the final cost of the Varda road tunnel?",
        [(["1.9 billion"], "a"), (["2.3 billion"], "b")],
    ),
    (
        "tunnel",
        "Which day did the Varda tunnel open to traffic?",
        [(["Monday"], "a"), (["Sunday"], "b")],
    ),
    (
        "convoy",
        "Who attacked the aid convoy near Amrani?",
        [(["Red Valley Brigade"], "a"), (["Government troops", "troops"], "b")],
    ),
    (
        "convoy",
        "How many trucks were in the aid convoy that was attacked near Amrani?",
        [(["14"], "a"), (["twenty"], "b")],
    ),
    (
        "whales",
        "How many pilot whales stranded on Maelholm?",
        [(["Forty-two"], "a"), (["Fifty-seven"], "b")],
    ),
    (
        "whales",
        "Which beach did the pilot whales strand on?",
        [(["Kirrin Beach", "Kirrin"], "a"), (["Fenlow Bay", "Fenlow"], "b")],
    ),
    (
        "whales",
        "Why did the pilot whales beach themselves on Maelholm?",
        [(["sick leader"], "a"), (["sonar"], "b")],
    ),
    (
        "budget",
        "By what percentage will property tax rise in Ferrisburg?",
        [(["4.5 percent"], "a"), (["6 percent"], "b")],
    ),
    (
        "budget",
        "When does the Ferrisburg property tax increase take effect?",
        [(["January 1"], "a"), (["March 1"], "b")],
    ),
    (
        "airport",
        "How far beyond the runway did the Skylark Air jet stop at Lanmore?",
        [(["150 metres"], "a"), (["210 metres"], "b")],
    ),
    (
        "airport",
        "What was the final tally of injured in the Lanmore runway overrun?",
        [(["Seven"], "a"), (["Twelve"], "b")],
    ),
    (
        "airport",
        "At what time did the Skylark Air plane run off the runway at Lanmore?",
        [(["7:50"], "a"), (["8:20"], "b")],
    ),
]
# control: (event, question, aliases, letters that state it)
CONTROLS = [
    (
        "avalanche",
        "Which company ran the ski tour caught in the Varnes avalanche?",
        ["Nordfjell Guiding", "Nordfjell"],
        "ab",
    ),
    ("avalanche", "Where were the avalanche survivors taken?", ["Edrun"], "ab"),
    (
        "avalanche",
        "What was the avalanche danger level on the day of the Kjelmo avalanche?",
        ["3", "three"],
        "ab",
    ),
    ("blackout", "How many households lost power in the Orvenna blackout?", ["180,000"], "ab"),
    ("blackout", "On which day did the blackout hit Orvenna?", ["Tuesday", "March 10"], "ab"),
    ("blackout", "At what time did the power go out in Orvenna?", ["6 a.m."], "a"),
    ("regatta", "How long is the Calder Bay Regatta course?", ["620"], "ab"),
    ("regatta", "how many boats started the calder bay regata", ["38", "Thirty-eight"], "ab"),
    ("refinery", "How many people died in the Saltmere refinery explosion?", ["two", "2"], "ab"),
    ("refinery", "Which company owns the Saltmere refinery?", ["Castor Energy", "Castor"], "ab"),
    (
        "refinery",
        "How far from the Saltmere refinery were residents told to stay indoors?",
        ["2 km", "two kilometres"],
        "ab",
    ),
    (
        "ceo",
        "Who resigned as chief executive of Brenholt Motors?",
        ["Viktor Arnesen", "Arnesen"],
        "ab",
    ),
    ("ceo", "How much did Brenholt lose at its battery plant?", ["310 million"], "ab"),
    ("ceo", "Where is Brenholt's loss-making battery plant?", ["Kosny"], "ab"),
    ("seizure", "How much cocaine was seized at the port of Quellmouth?", ["1.2 tonnes"], "ab"),
    (
        "seizure",
        "Who was charged over the Quellmouth cocaine seizure?",
        ["Tobias Renn", "Renn"],
        "b",
    ),
    ("seizure", "Which ship brought the cocaine container to Quellmouth?", ["Merida Star"], "ab"),
    ("sinkhole", "How wide is the sinkhole in Brackwell?", ["12 metres", "twelve metres"], "ab"),
    (
        "sinkhole",
        "How many homes were evacuated because of the Brackwell sinkhole?",
        ["14", "Fourteen"],
        "ab",
    ),
    ("derby", "What was the score of the Ostrel derby?", ["2-1"], "ab"),
    ("derby", "What was the attendance at the Fenwick Ground for the derby?", ["31,400"], "ab"),
    (
        "derby",
        "Who scored Ostrel United's penalty in the derby?",
        ["Lukas Brenner", "Brenner"],
        "ab",
    ),
    ("jailbreak", "Where was Dmitri Kalnin arrested?", ["Harlen"], "c"),
    (
        "jailbreak",
        "On which day did the inmates break out of Grenmoor prison?",
        ["Wednesday"],
        "ab",
    ),
    (
        "jailbreak",
        "Who ordered an inquiry into the Grenmoor prison escape?",
        ["Rosa Lindahl", "Lindahl"],
        "b",
    ),
    ("tunnel", "What is the speed limit in the Varda tunnel?", ["80 km/h"], "ab"),
    (
        "tunnel",
        "How long did the trip between Ternval and Sauze take before the Varda tunnel opened?",
        ["90 minutes", "an hour and a half"],
        "ab",
    ),
    ("tunnel", "Which minister opened the Varda tunnel?", ["Luka Horvat", "Horvat"], "ab"),
    (
        "convoy",
        "How many drivers were killed in the attack on the aid convoy near Amrani?",
        ["three"],
        "ab",
    ),
    ("convoy", "What was the Amrani aid convoy carrying?", ["flour"], "ab"),
    ("whales", "How many pilot whales were refloated on Maelholm?", ["13", "Thirteen"], "ab"),
    ("whales", "On which island did the pilot whales strand?", ["Maelholm"], "ab"),
    ("budget", "How large is the Ferrisburg budget for 2027?", ["860 million"], "ab"),
    (
        "budget",
        "What was the vote on the Ferisburg budget?",
        ["27 votes to 14", "twenty-seven votes to fourteen"],
        "ab",
    ),
    (
        "airport",
        "Which airline operated the jet that overran the runway at Lanmore?",
        ["Skylark Air"],
        "abc",
    ),
    (
        "airport",
        "Where was the Skylark Air flight that skidded off the Lanmore runway coming from?",
        ["Belcastro"],
        "ab",
    ),
]
