"""Synthetic Dutch clinical notes: short GP and specialist sentences written for the test population.

Each kind of person draws from its own templates, so the free-text path meets what it must tell apart:
affirmed mentions, negations ("geen aanwijzingen voor SAPHO"), uncertainty and hypotheticals ("bij
verdenking op CRMO ..."), family history, and notes that share a stem with a term without naming it; body
sites of a bone complaint named, negated ("geen zwelling van de linker tibia") or hedged ("eerder passend
bij groeipijn"), and imaging that was repeated or is only planned. All sentences are invented for this
generator.
"""

from __future__ import annotations

# notes that say nothing the screen looks for (most notes in a practice)
ROUTINE = (
    "Controle bloeddruk, waarden stabiel. Beleid ongewijzigd.",
    "Griepachtige klachten sinds twee dagen, geen koorts. Uitleg gegeven, zo nodig terugkomen.",
    "Enkelletsel na sporten, zwelling lateraal. Advies koelen en rust.",
    "Herhaalrecept opgehaald. Geen nieuwe klachten gemeld.",
    "Hoofdpijn bij stress op het werk. Leefstijladvies besproken.",
    "Hoest sinds een week, longen schoon bij auscultatie. Afwachtend beleid.",
    "Acne vulgaris op het gelaat, start lokale behandeling.",
    "Rugpijn laag lumbaal na tillen, geen uitstraling. Blijven bewegen.",
)

# a bone site named but negated or hedged, for the look-alikes (kept out of ROUTINE: every note naming a site
# goes through clinlp, and a million routine notes would make the screen slow without testing more)
NEGATED_SITES = (
    "Val van de fiets. Geen zwelling van de linker tibia, loopt normaal.",
    "Pijn rechter onderbeen eerder passend bij groeipijn. Uitleg gegeven.",
    "No swelling or tenderness of the right femur after the fall.",
    "Verdenking op osteomyelitis van de linker tibia, bloedkweek afwachten.",
)

# undiagnosed adult CNO-SCCH: mostly complaints and doubt, sometimes a clinician names it
ADULT_CASE = (
    "Pijn en zwelling ter hoogte van het sternoclaviculaire gewricht rechts, drukpijnlijk. Beloop afwachten.",
    "Opnieuw pijn borstwand, nu ook 's nachts. Differentiaal diagnose: Tietze, SCCH.",
    "Verdenking SCCH, verwijzing internist overwegen.",
    "Aanhoudende klachten voorste borstwand ondanks NSAID. Beeld past bij sternocostoclaviculaire hyperostose.",
    "Huid: pustulosis palmoplantaris aan beide handpalmen, al enige jaren aanwezig.",
    "Schouder links beperkt in abductie, pijn boven het sleutelbeen. Fysiotherapie gestart.",
)

# undiagnosed childhood CRMO
CHILD_CASE = (
    "Kind met wisselende botpijn in onderbeen en pols, mankt af en toe. Geen trauma.",
    "Bij verdenking op CRMO MRI aanvragen via de kinderarts.",
    "Klachten passend bij CRMO volgens de kinderarts, verder onderzoek volgt.",
    "Na antibioticakuur geen verbetering van de pijn in het bovenbeen.",
    "Moeder bekend met SCCH, kind heeft nu pijn in de knie.",
)

# a child whose pain did not go with antibiotics, and negative cultures written in a note
CHILD_NO_IMPROVEMENT = (
    "Na antibioticakuur geen verbetering van de pijn.",
    "Pijn in het onderbeen persisteert ondanks antibiotica.",
    "De klachten blijven, nu ook pijn in de pols.",
)
# the places of a child's bone pain, written by the paediatrician (one or two sides)
CHILD_SITES = (
    "Pijn en zwelling linker tibia, ook drukpijn rechter femur.",
    "Botpijn beide tibiae, mankt.",
    "Drukpijn distale femur rechts en pijn in het linker onderbeen.",
    "Bone pain and swelling of the left tibia and the right clavicle.",
)
# the bone imaged again after the antibiotics because the pain stayed
CHILD_REPEAT_IMAGING = (
    "Herhaal-MRI onderbeen: persisterend beenmergoedeem.",
    "Controle-MRI na antibiotica: afwijkingen onveranderd.",
    "Repeat MRI of the leg: persistent bone marrow oedema.",
)
CHILD_CULTURE = ("Bloedkweek negatief.", "Kweek: geen groei.", "Botbiopt verricht, kweek steriel.")

# true Tietze, osteoarthritis and bacterial osteomyelitis: the look-alikes
TIETZE = (
    "Drukpijn costochondraal links, past bij syndroom van Tietze. Geen aanwijzingen voor SAPHO.",
    "Borstpijn na verkoudheid, costochondritis. Ibuprofen voor twee weken.",
    "Pijn borstwand verdwenen na rust. SCCH is uitgesloten.",
)
OSTEOARTHRITIS = (
    "Artrose van de knie, pijn bij traplopen. Paracetamol en bewegen.",
    "Heupklachten passend bij artrose, verwijzing fysiotherapie.",
    "Als de schouderklachten aanhouden, denken aan CNO en dan verwijzen.",
)
BACTERIAL_OM = (
    "Osteomyelitis tibia na koorts, bloedkweek positief. Geen verdenking op CRMO.",
    "Antibiotica intraveneus gestart, herstel voorspoedig.",
    "Controle na behandeling osteomyelitis: pijnvrij, loopt weer normaal.",
    "Vermoedelijk kweek negatief, definitieve uitslag volgt.",
    "Mogelijk geen verbetering, over een week opnieuw beoordelen.",
    "Controle-MRI gepland over drie maanden.",
    "Geen pijn meer van het rechter onderbeen, geen herhaalde MRI nodig.",
)
