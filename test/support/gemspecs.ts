/** Handwritten gemspecs, in the styles gem authors use (multi-line arrays, `spec.`, %w, single quotes). */
export const HANDWRITTEN_GEMSPECS: Readonly<Record<string, string>> = {
  'tiny_tool.gemspec': `# frozen_string_literal: true
Gem::Specification.new do |spec|
  spec.name          = 'tiny_tool'
  spec.version       = '1.4.2'
  spec.authors       = ['Ada', "Grace \\"Amazing\\" Hopper"]
  spec.summary       = %q{A tiny tool}
  spec.homepage      = 'https://example.com/tiny_tool'
  spec.licenses      = [
    'MIT',
    'Apache-2.0',
  ]
  spec.files         = %w[lib/tiny_tool.rb]
end
`,
  'native_ext.gemspec': `Gem::Specification.new do |s|
  s.name = "native_ext"
  s.version = Gem::Version.new("0.3.0.rc1")
  s.platform = "x86_64-linux"
  s.license = "BSD-3-Clause"
  s.summary = "Pretends to ship a native extension"
  s.authors = ["Ext Author"]
  s.files = ["lib/native_ext.rb"]
end
`,
};
