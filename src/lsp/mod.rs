//! `refuge lsp`: a Language Server Protocol server over stdio.
//!
//! Built on `lsp-server` and `lsp-types` (rust-analyzer's synchronous
//! transport): one thread reads requests in order and answers each from the
//! last analysis of the policy set. Every change re-runs the front end as it
//! is, `crate::compile` over a `SourceMap` of the open documents and the
//! policy files on disk, so the editor shows exactly what `refuge check`
//! prints. The index behind hover, definition, references and completion
//! ([`index`]) is read from the syntax trees, so it survives checker errors.
//!
//! The policy set: the `initializationOptions.policyRoot` path if given, else
//! the workspace root's `policies/` folder if it has one, else the workspace
//! root, else the folder of the first document opened. Each file's module is
//! named after its path below that root, as with `refuge check DIR`.

pub mod convert;
pub mod index;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    CodeActionRequest, CodeLensRequest, Completion, DocumentSymbolRequest, ExecuteCommand,
    Formatting, GotoDefinition, HoverRequest, References, Request as _, SemanticTokensFullRequest,
    WorkspaceSymbolRequest,
};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeLens, CodeLensOptions, CodeLensParams, Command,
    CompletionItem, CompletionItemKind, CompletionOptions, CompletionParams, CompletionResponse,
    DiagnosticRelatedInformation, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, DocumentFormattingParams, DocumentSymbol,
    DocumentSymbolParams, DocumentSymbolResponse, ExecuteCommandOptions, ExecuteCommandParams,
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams,
    HoverProviderCapability, InitializeParams, Location, MarkupContent, MarkupKind, MessageType,
    OneOf, PublishDiagnosticsParams, ReferenceParams, SemanticToken, SemanticTokenType,
    SemanticTokens, SemanticTokensFullOptions, SemanticTokensLegend, SemanticTokensOptions,
    SemanticTokensParams, SemanticTokensResult, SemanticTokensServerCapabilities,
    ServerCapabilities, ShowMessageParams, SymbolInformation, SymbolKind,
    TextDocumentPositionParams, TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Url,
    WorkspaceEdit, WorkspaceSymbolParams, WorkspaceSymbolResponse,
};
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use self::convert::{LineIndex, Placed};
use self::index::{Index, Kind, Symbol};
use crate::compile::{Diagnostics, ParseCache};
use crate::ir::Program;
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::tokens::{tokens, TokenClass};

/// The command a test block's code lens runs: arguments `[uri, test name]`.
pub const EVALUATE_TEST: &str = "refuge.evaluateTest";

/// Keywords offered by completion (every reserved word of the lexer; a test
/// checks them against [`crate::syntax::tokens::is_keyword`]).
pub const KEYWORDS: &[&str] = &[
    "use",
    "source",
    "enum",
    "record",
    "fact",
    "setting",
    "table",
    "key",
    "column",
    "row",
    "definition",
    "verdict",
    "default",
    "rule",
    "exception",
    "absolute",
    "overrides",
    "lifts",
    "when",
    "cite",
    "provenance",
    "from",
    "until",
    "may",
    "by",
    "qualified",
    "note",
    "test",
    "given",
    "expect",
    "exercise",
    "as_of",
    "and",
    "or",
    "not",
    "in",
    "contains",
    "has",
    "any",
    "all",
    "if",
    "then",
    "else",
    "exists",
    "true",
    "false",
    "set",
    "of",
    "undetermined",
];

/// The semantic token types, in legend order.
const TOKEN_TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::NUMBER,
    SemanticTokenType::STRING,
    SemanticTokenType::COMMENT,
    SemanticTokenType::OPERATOR,
];

/// Runs the server on stdin and stdout until the client says `exit`.
pub fn run_stdio() -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    io_threads.join().map_err(|e| e.to_string())
}

/// Runs the server on a connection: the handshake, then every message until
/// `shutdown`.
pub fn serve(connection: &Connection) -> Result<(), String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": { "name": "refuge", "version": env!("CARGO_PKG_VERSION") },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let mut server = Server::new(&params);
    server.reanalyse();
    server.publish(connection);
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection
                    .handle_shutdown(&request)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(());
                }
                let response = server.request(request, connection);
                send(connection, Message::Response(response));
            }
            Message::Notification(notification) => {
                if server.notification(notification) {
                    server.reanalyse();
                    server.publish(connection);
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn send(connection: &Connection, message: Message) {
    // The client has gone if this fails; the read loop then ends by itself.
    let _ = connection.sender.send(message);
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_owned(), " ".to_owned()]),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![EVALUATE_TEST.to_owned()],
            ..ExecuteCommandOptions::default()
        }),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: SemanticTokensLegend {
                    token_types: TOKEN_TYPES.to_vec(),
                    token_modifiers: vec![],
                },
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                ..SemanticTokensOptions::default()
            },
        )),
        ..ServerCapabilities::default()
    }
}

/// A policy file the server knows: open in the editor or read from disk.
struct Document {
    text: String,
    open: bool,
}

/// The result of one run of the front end over the whole set.
struct Analysis {
    sources: SourceMap,
    uris: Vec<Url>,
    lines: Vec<LineIndex>,
    index: Index,
    program: Option<Program>,
    diagnostics: BTreeMap<Url, Vec<lsp_types::Diagnostic>>,
}

struct Server {
    root: Option<PathBuf>,
    documents: BTreeMap<Url, Document>,
    analysis: Analysis,
    published: BTreeSet<Url>,
    /// The syntax tree of each file, kept between analyses: an edit
    /// re-parses only the file edited.
    parsed: ParseCache,
}

/// A request's or notification's parameters, or the error response to send.
/// (Boxed: a `Response` holds a `serde_json::Value`, which is larger where
/// another crate in the build turns on serde_json's `preserve_order`, as
/// Cedar does in the peer benchmark.)
fn params<P: DeserializeOwned>(value: Json) -> Result<P, Box<Response>> {
    serde_json::from_value(value).map_err(|e| {
        Box::new(Response::new_err(
            RequestId::from(0),
            ErrorCode::InvalidParams as i32,
            e.to_string(),
        ))
    })
}

impl Server {
    fn new(params: &InitializeParams) -> Server {
        let option_root = params
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("policyRoot"))
            .and_then(Json::as_str)
            .map(PathBuf::from);
        #[expect(deprecated, reason = "root_uri is what older clients send")]
        let workspace = params
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .map(|f| f.uri.clone())
            .or_else(|| params.root_uri.clone())
            .and_then(|u| u.to_file_path().ok());
        let root = option_root.or_else(|| {
            workspace.map(|w| {
                let policies = w.join("policies");
                if policies.is_dir() {
                    policies
                } else {
                    w
                }
            })
        });
        let mut server = Server {
            root: None,
            documents: BTreeMap::new(),
            analysis: Analysis::empty(),
            published: BTreeSet::new(),
            parsed: ParseCache::new(),
        };
        if let Some(root) = root {
            server.set_root(root);
        }
        server
    }

    /// Reads every `.policy` file below `root` (open documents keep their text).
    fn set_root(&mut self, root: PathBuf) {
        let mut files = Vec::new();
        collect_policy_files(&root, &mut files);
        for path in files {
            let (Ok(uri), Ok(text)) = (Url::from_file_path(&path), std::fs::read_to_string(&path))
            else {
                continue;
            };
            self.documents
                .entry(uri)
                .or_insert(Document { text, open: false });
        }
        self.root = Some(root);
    }

    /// The file name (and so the module) of a document.
    fn name_of(&self, uri: &Url) -> String {
        let path = uri.to_file_path().ok();
        if let (Some(root), Some(path)) = (&self.root, &path) {
            if let Ok(rel) = path.strip_prefix(root) {
                return rel.to_string_lossy().replace('\\', "/");
            }
        }
        path.as_deref()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .or_else(|| {
                uri.path_segments()
                    .and_then(|mut s| s.next_back().map(str::to_owned))
            })
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "untitled.policy".to_owned())
    }

    /// Applies a notification; true if the set changed.
    fn notification(&mut self, notification: Notification) -> bool {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) = params::<DidOpenTextDocumentParams>(notification.params) else {
                    return false;
                };
                if self.root.is_none() {
                    if let Some(dir) = p
                        .text_document
                        .uri
                        .to_file_path()
                        .ok()
                        .and_then(|f| f.parent().map(Path::to_path_buf))
                    {
                        self.set_root(dir);
                    }
                }
                self.documents.insert(
                    p.text_document.uri,
                    Document {
                        text: p.text_document.text,
                        open: true,
                    },
                );
                true
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) = params::<DidChangeTextDocumentParams>(notification.params) else {
                    return false;
                };
                // Full sync: the last change holds the whole text.
                let Some(change) = p.content_changes.into_iter().last() else {
                    return false;
                };
                self.documents.insert(
                    p.text_document.uri,
                    Document {
                        text: change.text,
                        open: true,
                    },
                );
                true
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) = params::<DidCloseTextDocumentParams>(notification.params) else {
                    return false;
                };
                let uri = p.text_document.uri;
                // A closed file is what is on disk again (or gone).
                match uri
                    .to_file_path()
                    .ok()
                    .and_then(|f| std::fs::read_to_string(f).ok())
                {
                    Some(text) => {
                        self.documents.insert(uri, Document { text, open: false });
                    }
                    None => {
                        self.documents.remove(&uri);
                    }
                }
                true
            }
            DidSaveTextDocument::METHOD => {
                let _ = params::<DidSaveTextDocumentParams>(notification.params);
                false
            }
            _ => false,
        }
    }

    /// Runs the front end over every document.
    fn reanalyse(&mut self) {
        let mut sources = SourceMap::new();
        let mut uris = Vec::new();
        for (uri, doc) in &self.documents {
            sources.add(self.name_of(uri), doc.text.clone());
            uris.push(uri.clone());
        }
        let lines: Vec<LineIndex> = sources
            .files()
            .iter()
            .map(|f| LineIndex::new(&f.text))
            .collect();
        // Parsed once, for the index and the check. A file that does not
        // parse (mid-edit) is indexed as it last parsed, so completion still
        // knows its names and its `use`s.
        let compiled = self.parsed.compile(&sources);
        let refs: Vec<(FileId, &crate::ast::Module)> = sources
            .files()
            .iter()
            .zip(self.parsed.modules())
            .map(|(f, m)| (f.id, m))
            .collect();
        let index = Index::build(&refs);
        let mut analysis = Analysis {
            sources,
            uris,
            lines,
            index,
            program: None,
            diagnostics: BTreeMap::new(),
        };
        match compiled {
            Ok(compiled) => {
                let diagnostics = Diagnostics {
                    warnings: compiled.warnings,
                    ..Diagnostics::default()
                };
                analysis.diagnostics = analysis.convert(&diagnostics);
                analysis.program = Some(compiled.program);
            }
            Err(diagnostics) => analysis.diagnostics = analysis.convert(&diagnostics),
        }
        self.analysis = analysis;
    }

    /// Publishes diagnostics for every file that has some or had some.
    fn publish(&mut self, connection: &Connection) {
        let mut now = BTreeSet::new();
        for uri in &self.analysis.uris {
            let diagnostics = self
                .analysis
                .diagnostics
                .get(uri)
                .cloned()
                .unwrap_or_default();
            let open = self.documents.get(uri).is_some_and(|d| d.open);
            if diagnostics.is_empty() && !open && !self.published.contains(uri) {
                continue;
            }
            if !diagnostics.is_empty() {
                now.insert(uri.clone());
            }
            let params = PublishDiagnosticsParams::new(uri.clone(), diagnostics, None);
            send(
                connection,
                Message::Notification(Notification::new(
                    PublishDiagnostics::METHOD.to_owned(),
                    params,
                )),
            );
        }
        // Files that disappeared from the set lose their diagnostics.
        for uri in self.published.difference(&now) {
            if !self.analysis.uris.contains(uri) {
                let params = PublishDiagnosticsParams::new(uri.clone(), vec![], None);
                send(
                    connection,
                    Message::Notification(Notification::new(
                        PublishDiagnostics::METHOD.to_owned(),
                        params,
                    )),
                );
            }
        }
        self.published = now;
    }

    fn request(&mut self, request: Request, connection: &Connection) -> Response {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            HoverRequest::METHOD => {
                params::<HoverParams>(request.params).map(|p| self.analysis.hover(&p))
            }
            GotoDefinition::METHOD => params::<GotoDefinitionParams>(request.params)
                .map(|p| self.analysis.definition(&p.text_document_position_params)),
            References::METHOD => {
                params::<ReferenceParams>(request.params).map(|p| self.analysis.references(&p))
            }
            Completion::METHOD => {
                params::<CompletionParams>(request.params).map(|p| self.analysis.completion(&p))
            }
            DocumentSymbolRequest::METHOD => params::<DocumentSymbolParams>(request.params)
                .map(|p| self.analysis.document_symbols(&p.text_document.uri)),
            WorkspaceSymbolRequest::METHOD => params::<WorkspaceSymbolParams>(request.params)
                .map(|p| self.analysis.workspace_symbols(&p.query)),
            Formatting::METHOD => params::<DocumentFormattingParams>(request.params)
                .map(|p| self.analysis.formatting(&p.text_document.uri)),
            SemanticTokensFullRequest::METHOD => params::<SemanticTokensParams>(request.params)
                .map(|p| self.analysis.semantic_tokens(&p.text_document.uri)),
            CodeLensRequest::METHOD => params::<CodeLensParams>(request.params)
                .map(|p| self.analysis.code_lenses(&p.text_document.uri)),
            CodeActionRequest::METHOD => {
                params::<CodeActionParams>(request.params).map(|p| self.analysis.code_actions(&p))
            }
            ExecuteCommand::METHOD => params::<ExecuteCommandParams>(request.params)
                .map(|p| self.analysis.execute(&p, connection)),
            other => Err(Box::new(Response::new_err(
                id.clone(),
                ErrorCode::MethodNotFound as i32,
                format!("refuge lsp does not handle `{other}`"),
            ))),
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err(mut response) => {
                response.id = id;
                *response
            }
        }
    }
}

fn collect_policy_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_policy_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "policy") {
            out.push(path);
        }
    }
}

fn to_json<T: serde::Serialize>(value: T) -> Json {
    serde_json::to_value(value).unwrap_or(Json::Null)
}

impl Analysis {
    fn empty() -> Analysis {
        Analysis {
            sources: SourceMap::new(),
            uris: vec![],
            lines: vec![],
            index: Index::default(),
            program: None,
            diagnostics: BTreeMap::new(),
        }
    }

    fn file_of(&self, uri: &Url) -> Option<FileId> {
        self.uris
            .iter()
            .position(|u| u == uri)
            .and_then(|i| u32::try_from(i).ok())
            .map(FileId)
    }

    fn placed(&self, file: FileId) -> Option<Placed<'_>> {
        Some(Placed {
            uri: self.uris.get(file.0 as usize)?,
            text: &self.sources.get(file)?.text,
            lines: self.lines.get(file.0 as usize)?,
        })
    }

    fn range(&self, span: Span) -> Option<lsp_types::Range> {
        let placed = self.placed(span.file)?;
        Some(placed.lines.range(placed.text, span.range()))
    }

    fn location(&self, span: Span) -> Option<Location> {
        Some(Location::new(
            self.uris.get(span.file.0 as usize)?.clone(),
            self.range(span)?,
        ))
    }

    fn offset(&self, uri: &Url, position: lsp_types::Position) -> Option<(FileId, usize)> {
        let file = self.file_of(uri)?;
        let placed = self.placed(file)?;
        Some((file, placed.lines.offset(placed.text, position)))
    }

    fn convert(&self, d: &Diagnostics) -> BTreeMap<Url, Vec<lsp_types::Diagnostic>> {
        let mut out: BTreeMap<Url, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
        let mut push = |file: FileId,
                        diagnostic: &dyn miette::Diagnostic,
                        related: Vec<DiagnosticRelatedInformation>| {
            if let Some(placed) = self.placed(file) {
                let fallback = 0..0;
                out.entry(placed.uri.clone())
                    .or_default()
                    .push(convert::diagnostic(diagnostic, &placed, fallback, related));
            }
        };
        for (file, e) in &d.parse {
            push(*file, e, vec![]);
        }
        for e in &d.check {
            let mut copy = e.clone();
            let related = copy
                .related_mut()
                .iter()
                .filter_map(|r| {
                    Some(DiagnosticRelatedInformation {
                        location: self.location(r.span)?,
                        message: r.message.clone(),
                    })
                })
                .collect();
            push(e.span().file, e, related);
        }
        for w in &d.warnings {
            push(w.span().file, w, vec![]);
        }
        out
    }

    fn symbol_at(&self, at: &TextDocumentPositionParams) -> Option<(Span, &Symbol, usize)> {
        let (file, offset) = self.offset(&at.text_document.uri, at.position)?;
        let reference = self.index.at(file, offset)?;
        let symbol = self.index.symbols.get(reference.symbol)?;
        Some((reference.span, symbol, reference.symbol))
    }

    fn hover(&self, p: &HoverParams) -> Json {
        let Some((span, symbol, _)) = self.symbol_at(&p.text_document_position_params) else {
            return Json::Null;
        };
        to_json(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: format!("{}\n\n*module `{}`*", symbol.hover, symbol.module),
            }),
            range: self.range(span),
        })
    }

    fn definition(&self, at: &TextDocumentPositionParams) -> Json {
        self.symbol_at(at)
            .and_then(|(_, symbol, _)| self.location(symbol.name_span))
            .map_or(Json::Null, |l| to_json(GotoDefinitionResponse::Scalar(l)))
    }

    fn references(&self, p: &ReferenceParams) -> Json {
        let Some((_, symbol, id)) = self.symbol_at(&p.text_document_position) else {
            return Json::Null;
        };
        let declaration = symbol.name_span;
        let locations: Vec<Location> = self
            .index
            .references_to(id)
            .into_iter()
            .filter(|s| {
                p.context.include_declaration
                    || !(s.file == declaration.file && s.start == declaration.start)
            })
            .filter_map(|s| self.location(s))
            .collect();
        to_json(locations)
    }

    fn completion(&self, p: &CompletionParams) -> Json {
        let at = &p.text_document_position;
        let Some((file, offset)) = self.offset(&at.text_document.uri, at.position) else {
            return Json::Null;
        };
        let text = self.sources.get(file).map_or("", |f| f.text.as_str());
        let before = text.get(..offset).unwrap_or("");
        let word_start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let prefix = before.get(word_start..).unwrap_or("");
        let head = before.get(..word_start).unwrap_or("");
        let previous_word = head
            .trim_end()
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .next()
            .unwrap_or("");
        let mut items: Vec<CompletionItem> = Vec::new();
        let item = |s: &Symbol| CompletionItem {
            label: s.name.clone(),
            kind: Some(completion_kind(s.kind)),
            detail: Some(format!("{} in {}", s.kind.word(), s.module)),
            ..CompletionItem::default()
        };
        if let Some(owner) = head.strip_suffix('.') {
            // `Enum.` → its variants.
            let owner_start = owner
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(0, |i| i + 1);
            let owner = owner.get(owner_start..).unwrap_or("");
            items.extend(
                self.index
                    .symbols
                    .iter()
                    .filter(|s| {
                        matches!(s.kind, Kind::Variant | Kind::Field)
                            && s.container.as_deref() == Some(owner)
                    })
                    .map(item),
            );
        } else if previous_word == "cite" {
            items.extend(
                self.index
                    .in_scope(file)
                    .filter(|s| s.kind == Kind::Source)
                    .map(item),
            );
        } else if previous_word == "use" {
            items.extend(
                self.index
                    .symbols
                    .iter()
                    .filter(|s| s.kind == Kind::Module)
                    .map(item),
            );
        } else {
            items.extend(
                self.index
                    .in_scope(file)
                    .filter(|s| Index::is_value(s) || s.kind == Kind::Table)
                    .map(item),
            );
            items.extend(KEYWORDS.iter().map(|k| CompletionItem {
                label: (*k).to_owned(),
                kind: Some(CompletionItemKind::KEYWORD),
                ..CompletionItem::default()
            }));
        }
        let lower = prefix.to_lowercase();
        items.retain(|i| i.label.to_lowercase().starts_with(&lower));
        items.sort_by(|a, b| a.label.cmp(&b.label));
        items.dedup_by(|a, b| a.label == b.label);
        to_json(CompletionResponse::Array(items))
    }

    fn document_symbols(&self, uri: &Url) -> Json {
        let Some(file) = self.file_of(uri) else {
            return Json::Null;
        };
        let in_file: Vec<&Symbol> = self
            .index
            .symbols
            .iter()
            .filter(|s| s.name_span.file == file && s.kind != Kind::Module)
            .collect();
        let mut out = Vec::new();
        for s in in_file.iter().filter(|s| s.container.is_none()) {
            let children: Vec<DocumentSymbol> = in_file
                .iter()
                .filter(|c| c.container.as_deref() == Some(&s.name))
                .filter_map(|c| self.document_symbol(c, None))
                .collect();
            if let Some(symbol) = self.document_symbol(s, Some(children)) {
                out.push(symbol);
            }
        }
        to_json(DocumentSymbolResponse::Nested(out))
    }

    fn document_symbol(
        &self,
        s: &Symbol,
        children: Option<Vec<DocumentSymbol>>,
    ) -> Option<DocumentSymbol> {
        let selection = self.range(s.name_span)?;
        let mut range = self.range(s.span)?;
        // The selection must lie inside the range.
        if range.start > selection.start || range.end < selection.end {
            range = selection;
        }
        #[expect(deprecated, reason = "the field is required by the type")]
        Some(DocumentSymbol {
            name: s.name.clone(),
            detail: Some(s.kind.word().to_owned()),
            kind: symbol_kind(s.kind),
            tags: None,
            deprecated: None,
            range,
            selection_range: selection,
            children: children.filter(|c| !c.is_empty()),
        })
    }

    fn workspace_symbols(&self, query: &str) -> Json {
        let query = query.to_lowercase();
        #[expect(deprecated, reason = "the field is required by the type")]
        let symbols: Vec<SymbolInformation> = self
            .index
            .symbols
            .iter()
            .filter(|s| s.kind != Kind::Module && s.name.to_lowercase().contains(&query))
            .filter_map(|s| {
                Some(SymbolInformation {
                    name: s.name.clone(),
                    kind: symbol_kind(s.kind),
                    tags: None,
                    deprecated: None,
                    location: self.location(s.name_span)?,
                    container_name: Some(s.container.clone().unwrap_or_else(|| s.module.clone())),
                })
            })
            .collect();
        to_json(WorkspaceSymbolResponse::Flat(symbols))
    }

    fn formatting(&self, uri: &Url) -> Json {
        let Some(file) = self.file_of(uri).and_then(|f| self.sources.get(f)) else {
            return Json::Null;
        };
        let Ok(formatted) = crate::fmt::format(file) else {
            // A file that does not parse is not formatted; its diagnostics say why.
            return Json::Null;
        };
        if formatted == file.text {
            return to_json(Vec::<TextEdit>::new());
        }
        let Some(range) = self.range(Span::new(file.id, 0, file.text.len())) else {
            return Json::Null;
        };
        to_json(vec![TextEdit::new(range, formatted)])
    }

    fn semantic_tokens(&self, uri: &Url) -> Json {
        let Some(placed) = self.file_of(uri).and_then(|f| self.placed(f)) else {
            return Json::Null;
        };
        let mut data = Vec::new();
        let (mut last_line, mut last_col) = (0u32, 0u32);
        for (token, range) in tokens(placed.text) {
            let kind = match token.class() {
                TokenClass::Keyword => 0,
                TokenClass::Name => 1,
                TokenClass::Literal => 2,
                TokenClass::String => 3,
                TokenClass::Comment => 4,
                TokenClass::Punctuation => 5,
                TokenClass::Whitespace | TokenClass::Error => continue,
            };
            // A token that spans lines (a string with a newline) is sent in pieces.
            let mut start = range.start;
            let slice = placed.text.get(range.clone()).unwrap_or("");
            for piece in slice.split_inclusive('\n') {
                let piece_text = piece.trim_end_matches('\n');
                let p = placed.lines.position(placed.text, start);
                let length = u32::try_from(piece_text.encode_utf16().count()).unwrap_or(0);
                start += piece.len();
                if length == 0 {
                    continue;
                }
                let delta_line = p.line - last_line;
                let delta_start = if delta_line == 0 {
                    p.character - last_col
                } else {
                    p.character
                };
                data.push(SemanticToken {
                    delta_line,
                    delta_start,
                    length,
                    token_type: kind,
                    token_modifiers_bitset: 0,
                });
                last_line = p.line;
                last_col = p.character;
            }
        }
        to_json(SemanticTokensResult::Tokens(SemanticTokens {
            result_id: None,
            data,
        }))
    }

    fn code_lenses(&self, uri: &Url) -> Json {
        let Some(file) = self.file_of(uri) else {
            return Json::Null;
        };
        let lenses: Vec<CodeLens> = self
            .index
            .symbols
            .iter()
            .filter(|s| s.kind == Kind::Test && s.name_span.file == file)
            .filter_map(|s| {
                Some(CodeLens {
                    range: self.range(s.name_span)?,
                    command: Some(Command {
                        title: "▶ Evaluate this test".to_owned(),
                        command: EVALUATE_TEST.to_owned(),
                        arguments: Some(vec![
                            Json::String(uri.to_string()),
                            Json::String(s.name.clone()),
                        ]),
                    }),
                    data: None,
                })
            })
            .collect();
        to_json(lenses)
    }

    fn code_actions(&self, p: &CodeActionParams) -> Json {
        let mut actions = Vec::new();
        for d in &p.context.diagnostics {
            let Some(replacement) = d
                .data
                .as_ref()
                .and_then(|data| data.get("replacement"))
                .and_then(Json::as_str)
            else {
                continue;
            };
            let mut changes = std::collections::HashMap::new();
            changes.insert(
                p.text_document.uri.clone(),
                vec![TextEdit::new(d.range, replacement.to_owned())],
            );
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Replace with `{replacement}`"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(WorkspaceEdit::new(changes)),
                is_preferred: Some(true),
                ..CodeAction::default()
            }));
        }
        to_json(actions)
    }

    /// `refuge.evaluateTest URI NAME`: the test's outcome and the memo of its
    /// case (`explain::to_text`), returned and shown to the user.
    fn execute(&self, p: &ExecuteCommandParams, connection: &Connection) -> Json {
        if p.command != EVALUATE_TEST {
            return Json::Null;
        }
        let name = p.arguments.get(1).and_then(Json::as_str).unwrap_or("");
        let text = self.evaluate_test(name);
        send(
            connection,
            Message::Notification(Notification::new(
                ShowMessage::METHOD.to_owned(),
                ShowMessageParams {
                    typ: MessageType::INFO,
                    message: text.clone(),
                },
            )),
        );
        Json::String(text)
    }

    fn evaluate_test(&self, name: &str) -> String {
        let Some(program) = &self.program else {
            return "the policies have errors: fix them to evaluate tests".to_owned();
        };
        let Some(test) = program.tests.iter().find(|t| t.name == name) else {
            return format!("no test named \"{name}\"");
        };
        let case = crate::testing::case_of_test(program, test);
        let outcome = crate::testing::run_case(program, &test.name, &case);
        let mut out = if outcome.passed() {
            format!("test \"{name}\": passed\n")
        } else {
            format!("test \"{name}\": FAILED\n{}\n", outcome.failures.join("\n"))
        };
        let engine = crate::Engine::new(program);
        let options = crate::Options {
            as_of: Some(test.as_of.unwrap_or(crate::testing::DEFAULT_TEST_DATE)),
            verdicts: vec![],
        };
        match engine.evaluate(&case, &options) {
            Ok(evaluation) => out.push_str(&crate::explain::to_text(&evaluation, false)),
            Err(e) => out.push_str(&format!("evaluation error: {e}")),
        }
        out
    }
}

fn completion_kind(kind: Kind) -> CompletionItemKind {
    match kind {
        Kind::Source => CompletionItemKind::REFERENCE,
        Kind::Enum => CompletionItemKind::ENUM,
        Kind::Variant => CompletionItemKind::ENUM_MEMBER,
        Kind::Record => CompletionItemKind::STRUCT,
        Kind::Field => CompletionItemKind::FIELD,
        Kind::Fact => CompletionItemKind::VARIABLE,
        Kind::Setting => CompletionItemKind::CONSTANT,
        Kind::Table => CompletionItemKind::STRUCT,
        Kind::Definition | Kind::Verdict => CompletionItemKind::FUNCTION,
        Kind::Rule => CompletionItemKind::EVENT,
        Kind::Test => CompletionItemKind::TEXT,
        Kind::Module => CompletionItemKind::MODULE,
    }
}

fn symbol_kind(kind: Kind) -> SymbolKind {
    match kind {
        Kind::Source => SymbolKind::OBJECT,
        Kind::Enum => SymbolKind::ENUM,
        Kind::Variant => SymbolKind::ENUM_MEMBER,
        Kind::Record => SymbolKind::STRUCT,
        Kind::Field => SymbolKind::FIELD,
        Kind::Fact => SymbolKind::VARIABLE,
        Kind::Setting => SymbolKind::CONSTANT,
        Kind::Table => SymbolKind::ARRAY,
        Kind::Definition | Kind::Verdict => SymbolKind::FUNCTION,
        Kind::Rule => SymbolKind::EVENT,
        Kind::Test => SymbolKind::METHOD,
        Kind::Module => SymbolKind::MODULE,
    }
}

#[cfg(test)]
mod tests {
    use super::KEYWORDS;
    use crate::syntax::tokens::is_keyword;

    #[test]
    fn completion_keywords_are_the_lexers_keywords() {
        for k in KEYWORDS {
            assert!(is_keyword(k), "`{k}` is not a keyword of the lexer");
        }
        assert!(!KEYWORDS.contains(&"statute"));
    }
}
