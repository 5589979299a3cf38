-- Tenet for Neovim (0.7 or later): filetype detection and the language server.
-- Put this file in your runtime path (e.g. ~/.config/nvim/plugin/tenet.lua).

vim.filetype = vim.filetype or {}
if vim.filetype.add then
  vim.filetype.add({ extension = { tenet = "tenet" } })
else
  vim.cmd([[autocmd BufRead,BufNewFile *.tenet setfiletype tenet]])
end

vim.api.nvim_create_autocmd("FileType", {
  pattern = "tenet",
  callback = function(args)
    vim.bo[args.buf].commentstring = "// %s"
    local root = vim.fs and vim.fs.dirname(vim.fs.find({ "tenet.toml", ".git" }, { upward = true })[1] or "")
    vim.lsp.start({
      name = "tenet",
      cmd = { "tenet", "lsp" },
      root_dir = root or vim.fn.getcwd(),
      init_options = { evidenceRoots = {} },
    })
  end,
})
