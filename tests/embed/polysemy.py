"""Polysemous words, two sentences for each of two senses (written for embedrag's tests)."""

SENSES: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "bat": (
        ("A bat flew out of the dark cave at dusk.", "The bat hangs upside down while it sleeps."),
        ("He swung the bat and hit the ball over the fence.", "She bought a new cricket bat for the season."),
    ),
    "bank": (
        ("We had a picnic on the grassy bank of the river.", "The boat drifted towards the muddy bank."),
        ("She deposited her salary at the bank.", "The bank raised its interest rates on loans."),
    ),
    "bark": (
        ("The dog began to bark at the postman.", "I heard a loud bark from the neighbour's puppy."),
        ("The bark of the old oak tree was rough.", "Beetles live under the bark of dead pine trees."),
    ),
    "crane": (
        ("A crane stood on one leg in the shallow marsh.", "The crane spread its wings and flew over the lake."),
        ("The crane lifted steel beams onto the roof.", "Workers operated a tall crane at the building site."),
    ),
    "mouse": (
        ("The cat chased a mouse across the kitchen floor.", "A tiny mouse nibbled the cheese in the barn."),
        ("Click the left mouse button to open the file.", "My wireless mouse needs new batteries."),
    ),
    "bass": (
        ("He caught a large bass in the lake this morning.", "The fisherman grilled the bass for dinner."),
        ("She plays bass guitar in a jazz band.", "Turn down the bass on the speakers, it is too loud."),
    ),
    "match": (
        ("He struck a match to light the candle.", "The box of matches was damp, so no match would light."),
        ("Our team won the football match on Saturday.", "The tennis match lasted four hours."),
    ),
    "plant": (
        ("Water the plant on the windowsill every week.", "This plant grows small yellow flowers in spring."),
        ("The car plant employs three thousand workers.", "The power plant burns coal to make electricity."),
    ),
    "seal": (
        ("A seal was sunbathing on the rocks by the shore.", "The seal dived into the icy water after a fish."),
        ("Break the seal before opening the jar.", "The letter was closed with a wax seal."),
    ),
    "letter": (
        ("I posted a letter to my grandmother yesterday.", "She received a letter from the tax office."),
        ("The word starts with the letter B.", "Write each letter of the alphabet neatly."),
    ),
    "pitch": (
        ("The players walked onto the muddy pitch.", "Fans ran onto the football pitch after the goal."),
        ("The singer could not reach the high pitch.", "A tuning fork sounds at a fixed pitch."),
    ),
    "spring": (
        ("The flowers bloom early in spring.", "We plan to travel in the spring when it is warmer."),
        ("The spring in the old mattress broke.", "Press the spring down and release the lever."),
    ),
}
