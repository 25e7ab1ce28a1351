"""An import-linter contract type that the built-in ones lack: an allow-list of dependencies.

`forbidden` names what may not be imported, so a new dependency slips through until someone
adds it to the list. `only_imports` names what may be: the standard library, the modules
given, and the source packages themselves; anything else breaks the contract. It is what
"contracts/ depends on pydantic only" means (STYLE.md), checked in `make lint` (.importlinter).
"""

from __future__ import annotations

import sys

import grimp
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils


class OnlyImportsContract(Contract):
    """Modules in `source_modules` import only the standard library and `allowed_modules`.

    - source_modules:  packages checked, with their descendants (they may import each other).
    - allowed_modules: top-level packages they may import besides the standard library.
    - ignore_imports:  imports let through, e.g. an optional extra (`a.b -> cryptography`).
    Needs `include_external_packages = True`, so that third-party imports are in the graph.
    """

    type_name = "only_imports"

    source_modules = fields.ListField(subfield=fields.ModuleField())
    allowed_modules = fields.ListField(subfield=fields.StringField())
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,  # type: ignore[arg-type]
            unmatched_alerting=contract_utils.AlertLevel.ERROR,
        )
        sources = [module.name for module in self.source_modules]  # type: ignore[attr-defined]
        allowed = set(self.allowed_modules) | set(sys.stdlib_module_names)  # type: ignore[call-overload]
        illegal = []
        for source in sources:
            for importer in sorted(graph.find_descendants(source) | {source}):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    inside = any(imported == s or imported.startswith(f"{s}.") for s in sources)
                    if inside or imported.split(".")[0] in allowed:
                        continue
                    lines = graph.get_import_details(importer=importer, imported=imported)
                    numbers = ", ".join(f"l.{d['line_number']}" for d in lines)
                    illegal.append(f"{importer} -> {imported} ({numbers})")
        return ContractCheck(
            kept=not illegal,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"illegal": illegal},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        allowed = ", ".join(self.allowed_modules)  # type: ignore[arg-type]
        output.print_error(f"Only the standard library and {allowed} may be imported:")
        output.new_line()
        for line in check.metadata["illegal"]:
            output.print_error(f"-   {line}", bold=False)
        output.new_line()
