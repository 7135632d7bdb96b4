package cond

// registry returns the predicate table of one AHB. One table per AHB, each
// built in its own file (predicates_<type>.go); format conditions shared by
// several AHBs come from formatDefs.
func registry(name string) []def {
	switch name {
	case UTILMDStrom:
		return utilmdStrom()
	case UTILMDGas:
		return utilmdGas()
	}
	return nil
}
