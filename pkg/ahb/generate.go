package ahb

//go:generate go run ../../internal/ahbgen -src ../../../shared/ahb-data -out data
