module porchlight/tools/verify-go

go 1.24

require golang.org/x/mod v0.43.0
