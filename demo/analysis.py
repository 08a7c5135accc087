# Py Contexts demo: run pieces of this file with Shift+Enter, or the "Run Cell" lenses.
# Every editor has its own Python environment; watch it in the Context Pool view
# (the activity bar icon with three lanes).

# %% Some data
import math
import statistics

temperatures = {
    "Mon": 17.5,
    "Tue": 19.0,
    "Wed": 21.5,
    "Thu": 18.0,
    "Fri": 23.5,
}
len(temperatures)

# %% Functions run as a whole: put the cursor on `def` and press Shift+Enter
def summary(values):
    """Mean, spread and the warmest day."""
    mean = statistics.mean(values.values())
    spread = statistics.pstdev(values.values())
    warmest = max(values, key=values.get)
    return {"mean": round(mean, 2), "spread": round(spread, 2), "warmest": warmest}


summary(temperatures)

# %% Output streams into the "Py Contexts" output channel while the code runs
import time

for day, t in temperatures.items():
    print(f"{day}: {'#' * int(t)} {t}")
    time.sleep(0.2)

# %% Errors point at the real line of this file (click the location in the output)
def kelvin(celsius):
    if celsius < -273.15:
        raise ValueError(f"{celsius} °C is below absolute zero")
    return celsius + 273.15


kelvin(-300)

# %% input() asks through an input box
name = input("Your name: ")
f"Hello, {name or 'stranger'}!"

# %% Long runs show progress in the status bar; click it (or the tree) to interrupt
total = 0
while True:
    total += 1

# %% A bigger value for the variables view: expand it in the Context Pool tree
grid = [[round(math.sin(x / 3) * math.cos(y / 3), 2) for x in range(8)] for y in range(8)]
grid[0]
