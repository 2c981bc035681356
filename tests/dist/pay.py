"""A till vendor's first script with the installed wheel: the version, where
the package came from, its licences, a payment and a decline."""

import importlib.metadata
import sys

import concert_tpe

version = sys.argv[1]
assert concert_tpe.__version__ == version, concert_tpe.__version__
assert importlib.metadata.version("concert-tpe") == version
assert "site-packages" in concert_tpe.__file__, concert_tpe.__file__
files = importlib.metadata.files("concert-tpe") or []
licences = sorted(f.name for f in files if f.name.startswith("LICENSE"))
assert licences == ["LICENSE-APACHE", "LICENSE-MIT"], licences

with concert_tpe.Simulator() as sim:
    terminal = sim.terminal()
    outcome = terminal.pay("12.50", "EUR")
    assert outcome.status is concert_tpe.Status.APPROVED, outcome
    assert outcome.amount == 1250, outcome.amount
    assert outcome.card_number and "######" in outcome.card_number, outcome.card_number
    sim.push_script("decline:05")
    declined = terminal.pay(990)
    assert declined.status is concert_tpe.Status.DECLINED, declined

print("python", sys.version.split()[0], "concert_tpe", version, "from", concert_tpe.__file__)
print("paid 12.50 EUR:", outcome.status, outcome.card_number, outcome.authorization_number)
print("then:", declined.status)
