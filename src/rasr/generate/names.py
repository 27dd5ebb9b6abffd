"""Word lists for the names of people, teams, accounts, next steps and sources in a generated org."""

from __future__ import annotations

FIRST_NAMES = (
    "Aaliyah", "Adam", "Adrian", "Aisha", "Alan", "Alba", "Alex", "Alice", "Amara", "Amir", "Ana", "Andre",
    "Anna", "Arjun", "Ava", "Beatriz", "Ben", "Bianca", "Boris", "Brian", "Camila", "Carla", "Carlos",
    "Chen", "Chloe", "Claire", "Daniel", "Dara", "David", "Diego", "Dmitri", "Elena", "Eli", "Emma",
    "Erik", "Fatima", "Felix", "Fiona", "Gabriel", "Grace", "Hana", "Hannah", "Hugo", "Ian", "Ines",
    "Ivan", "Jack", "Jade", "James", "Jana", "Javier", "Jin", "Joao", "Jonas", "Julia", "Kai", "Kamal",
    "Kate", "Kenji", "Laura", "Leila", "Leo", "Liam", "Lina", "Lucas", "Lucia", "Maya", "Marco", "Maria",
    "Mateo", "Mei", "Mia", "Miguel", "Nadia", "Nina", "Noah", "Nora", "Olivia", "Omar", "Oscar", "Paula",
    "Pedro", "Priya", "Rafael", "Rania", "Ravi", "Rosa", "Ruth", "Sam", "Sara", "Sean", "Sofia", "Tariq",
    "Theo", "Tom", "Uma", "Victor", "Yara", "Yusuf", "Zoe",
)

LAST_NAMES = (
    "Abara", "Adler", "Alvarez", "Andersen", "Baker", "Banerjee", "Barros", "Becker", "Bianchi", "Brooks",
    "Campbell", "Carter", "Castro", "Chang", "Costa", "Cruz", "Dahl", "Diallo", "Dubois", "Ellis", "Evans",
    "Fischer", "Fontaine", "Garcia", "Gomez", "Grant", "Gupta", "Hansen", "Hayes", "Hoffman", "Hughes",
    "Ibrahim", "Ito", "Jensen", "Johnson", "Kaur", "Keller", "Khan", "Kim", "Kowalski", "Larsen", "Lee",
    "Lopez", "Martin", "Meyer", "Mendes", "Moreau", "Murphy", "Nakamura", "Nguyen", "Novak", "Okafor",
    "Olsen", "Ortiz", "Park", "Patel", "Perez", "Petrov", "Quinn", "Ramos", "Reyes", "Rossi", "Santos",
    "Sato", "Schmidt", "Shah", "Silva", "Singh", "Sousa", "Stein", "Suzuki", "Tan", "Taylor", "Torres",
    "Vargas", "Vega", "Wagner", "Walsh", "Wang", "Weber", "Wilson", "Wong", "Young", "Yilmaz", "Zhang",
)

# Parent teams (regions) and the cities their teams are named after.
REGIONS = (
    ("Americas", ("Boston", "Chicago", "Denver", "Austin", "Toronto", "Seattle", "Atlanta", "Miami")),
    ("EMEA", ("London", "Paris", "Munich", "Madrid", "Milan", "Amsterdam", "Stockholm", "Dublin")),
    ("APAC", ("Sydney", "Singapore", "Tokyo", "Seoul", "Mumbai", "Auckland", "Melbourne", "Osaka")),
)
# Team i goes to REGION_CYCLE[i % len], so a four-team org has two American teams, one in EMEA, one in APAC.
REGION_CYCLE = (0, 1, 0, 2)
ROOT_TEAM = "Global Sales"

ACCOUNT_WORDS = (
    "Acme", "Apex", "Arbor", "Atlas", "Beacon", "Birch", "Blue", "Bright", "Cedar", "Cobalt", "Crest",
    "Delta", "Echo", "Ember", "Falcon", "Fern", "Granite", "Harbor", "Horizon", "Iris", "Juniper", "Keystone",
    "Lark", "Maple", "Meridian", "Nimbus", "North", "Oak", "Onyx", "Orbit", "Pine", "Polar", "Quarry",
    "Raven", "Ridge", "River", "Sable", "Summit", "Terra", "Tidal", "Vertex", "Willow",
)
ACCOUNT_KINDS = (
    "Logistics", "Health", "Foods", "Energy", "Bank", "Insurance", "Retail", "Labs", "Media", "Motors",
    "Systems", "Telecom", "Travel", "Builders", "Pharma", "Capital", "Textiles", "Airlines", "Hotels", "Steel",
)

# Product, its share of deals and its deal-size multiplier.
PRODUCTS = (
    ("Platform", 0.45, 1.0),
    ("Analytics", 0.25, 0.7),
    ("Integrations", 0.2, 0.5),
    ("Enterprise Suite", 0.1, 2.5),
)

SOURCES = ("Inbound", "Outbound", "Partner", "Event", "Referral")
SOURCE_SHARES = (0.35, 0.3, 0.15, 0.1, 0.1)

# Next steps per open stage, by stage position - 1 (Prospect first).
NEXT_STEPS = (
    ("Book a discovery call", "Send case study and ask for a meeting", "Follow up on inbound request"),
    ("Confirm budget with the buyer", "Identify the decision maker", "Agree the evaluation timeline"),
    ("Run the product demo", "Send the technical requirements answers", "Set up a trial workspace"),
    ("Review the proposal with the economic buyer", "Send revised pricing", "Agree the decision date"),
    ("Send contract for signature", "Resolve legal redlines", "Agree payment terms with procurement"),
)
