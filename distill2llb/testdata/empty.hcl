image "empty" {
  cmd = ["/nothing"]
}
