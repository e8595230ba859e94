module porchlight/tools/verify-go

go 1.25

require golang.org/x/mod v0.43.0
