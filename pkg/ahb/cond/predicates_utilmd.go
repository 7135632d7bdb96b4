package cond

// utilmdStrom is the predicate table of the UTILMD Strom AHB.
func utilmdStrom() []def { return nil }

// utilmdGas is the predicate table of the UTILMD Gas AHB.
func utilmdGas() []def { return nil }
